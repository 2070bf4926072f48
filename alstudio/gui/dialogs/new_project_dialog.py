"""The New project dialog: file, name, classes (name, shortcut key, colour) and annotator.

The classes are an editable table because they are the one thing that is hard to change
later: every label event refers to them, and the annotator's hands learn their keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from alstudio.project import SUFFIX, ClassSpec
from alstudio.project.records import DEFAULT_COLOURS

#: Keys taken by the window (S, U, N, P, B) or by the viewer (F, R, I, O, + - =).
RESERVED_KEYS = frozenset("SUNPBFRIO+-=")


@dataclass(frozen=True)
class NewProjectSpec:
    path: Path
    name: str
    classes: list[ClassSpec]
    annotator: str


def check_classes(rows: list[tuple[str, str, str]]) -> str | None:
    """Why these (name, key, colour) rows cannot make a project, or None if they can."""
    names = [n.strip() for n, _, _ in rows if n.strip()]
    if len(names) < 2:
        return "Give at least two classes."
    if len({n.casefold() for n in names}) != len(names):
        return "Two classes have the same name."
    if any(n.casefold() in ("skip", "unsure") for n in names):
        return "'skip' and 'unsure' are decisions, not classes."
    keys = [k.strip().upper() for n, k, _ in rows if n.strip() and k.strip()]
    if any(len(k) != 1 for k in keys):
        return "A shortcut is one key (1-9 or a letter)."
    if len(set(keys)) != len(keys):
        return "Two classes share a shortcut key."
    clash = sorted(set(keys) & RESERVED_KEYS)
    if clash:
        return f"Key {clash[0]} is taken by the window or the viewer; choose another."
    return None


class NewProjectDialog(QDialog):
    def __init__(self, folder: Path, annotator: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.setMinimumWidth(560)
        self.name = QLineEdit("chest-xray-study")
        self.name.textChanged.connect(self._name_changed)
        self.path = QLineEdit(str(folder / f"chest-xray-study{SUFFIX}"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.annotator = QLineEdit(annotator)
        self.annotator.setPlaceholderText("your name or initials")

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Class", "Key", "Colour"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.cellDoubleClicked.connect(self._cell_double_clicked)
        for name in ("normal", "abnormal"):
            self.add_class(name)
        add = QPushButton("Add class")
        add.clicked.connect(lambda: self.add_class(""))
        remove = QPushButton("Remove class")
        remove.clicked.connect(self._remove_selected)
        table_buttons = QHBoxLayout()
        table_buttons.addWidget(add)
        table_buttons.addWidget(remove)
        table_buttons.addStretch(1)
        hint = QLabel("Keys 1-9 by default; double-click a colour to change it.")
        hint.setProperty("role", "dim")

        self.problem = QLabel()
        self.problem.setStyleSheet("color: #e07a7a;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("File", path_row)
        form.addRow("Annotator", self.annotator)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Classes"))
        layout.addWidget(self.table)
        layout.addLayout(table_buttons)
        layout.addWidget(hint)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    # -- classes table ----------------------------------------------------------------------
    def add_class(self, name: str, key: str | None = None, colour: str | None = None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(name))
        self.table.setItem(row, 1, QTableWidgetItem(key or (str(row + 1) if row < 9 else "")))
        swatch = QTableWidgetItem(colour or DEFAULT_COLOURS[row % len(DEFAULT_COLOURS)])
        swatch.setFlags(swatch.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self._paint_swatch(swatch)
        self.table.setItem(row, 2, swatch)

    def _paint_swatch(self, item: QTableWidgetItem) -> None:
        colour = QColor(item.text())
        item.setBackground(colour)
        item.setForeground(QColor("#000000" if colour.lightness() > 128 else "#ffffff"))

    def _cell_double_clicked(self, row: int, column: int) -> None:
        if column != 2:
            return
        item = self.table.item(row, 2)
        if item is None:
            return
        chosen = QColorDialog.getColor(QColor(item.text()), self, "Class colour")
        if chosen.isValid():
            item.setText(chosen.name())
            self._paint_swatch(item)

    def _remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows or [self.table.rowCount() - 1]:
            if row >= 0:
                self.table.removeRow(row)

    def rows(self) -> list[tuple[str, str, str]]:
        def text(row: int, col: int) -> str:
            item = self.table.item(row, col)
            return item.text() if item is not None else ""

        return [(text(r, 0), text(r, 1), text(r, 2)) for r in range(self.table.rowCount())]

    # -- result -----------------------------------------------------------------------------
    def _name_changed(self, name: str) -> None:
        current = Path(self.path.text())
        slug = "-".join(name.split()) or "project"
        self.path.setText(str(current.with_name(f"{slug}{SUFFIX}")))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project file", self.path.text(),
                                              f"alstudio projects (*{SUFFIX})")
        if path:
            self.path.setText(path if path.endswith(SUFFIX) else path + SUFFIX)

    def spec(self) -> NewProjectSpec:
        classes = [ClassSpec(n.strip(), k.strip().upper() or None, c)
                   for n, k, c in self.rows() if n.strip()]
        return NewProjectSpec(Path(self.path.text()).expanduser(), self.name.text().strip(),
                              classes, self.annotator.text().strip())

    def problem_text(self) -> str | None:
        if not self.name.text().strip():
            return "Give the project a name."
        path = Path(self.path.text()).expanduser()
        if not self.path.text().strip() or path.exists():
            return "Choose a file that does not exist yet."
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist."
        if not self.annotator.text().strip():
            return "Say who is labeling."
        return check_classes(self.rows())

    def _accept(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem or "")
        if problem is None:
            self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, folder: Path, annotator: str) -> NewProjectSpec | None:
        dialog = cls(folder, annotator, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.spec()
