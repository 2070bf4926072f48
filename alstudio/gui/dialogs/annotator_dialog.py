"""Who is labeling: asked once when a project opens, since every label event names its
annotator (agreement statistics and adjudication depend on it)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)


class AnnotatorDialog(QDialog):
    def __init__(self, project_name: str, known: list[str], last: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is labeling?")
        text = QLabel(f"Your name or initials for <b>{project_name}</b>. Each label you give "
                      "is recorded under it.")
        text.setWordWrap(True)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(known)
        self.name.setCurrentText(last)
        line = self.name.lineEdit()
        if line is not None:
            line.selectAll()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.currentTextChanged.connect(self._validate)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.name)
        layout.addWidget(self.buttons)
        self._validate()
        self.setMinimumWidth(380)

    def _validate(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name.currentText().strip()))

    def annotator(self) -> str:
        return self.name.currentText().strip()

    @classmethod
    def ask(cls, parent: QWidget | None, project_name: str, known: list[str],
            last: str) -> str | None:
        """The chosen name, or None if the user cancelled."""
        dialog = cls(project_name, known, last, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.annotator() or None
