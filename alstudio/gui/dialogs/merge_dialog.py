"""File > Merge projects: choose the workstations' files, the new file, and class renames.

The merge itself is :func:`alstudio.workflow.merge.merge_projects`, run in a worker; the inputs
are never modified, and the merged file is new.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from alstudio.jobs import CancelToken, ProgressCallback

FILTER = "alstudio projects (*.alstudio)"


@dataclass(frozen=True)
class MergeRequest:
    inputs: list[Path]
    output: Path
    class_map: list[str]  # "OLD=NEW"


def merge_job(request: MergeRequest, *, progress: ProgressCallback,
              cancel: CancelToken) -> object:
    from alstudio.workflow.merge import merge_projects, parse_class_map

    return merge_projects(request.inputs, request.output, parse_class_map(request.class_map),
                          progress=progress, cancel=cancel)


class MergeDialog(QDialog):
    def __init__(self, first: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge projects")
        self.setMinimumWidth(560)
        intro = QLabel("Bring together the work of readers who labeled on separate "
                       "workstations. Items match by content; every read keeps its reader, "
                       "times and workstation; differing reads become disagreements. The "
                       "files chosen here are not changed.")
        intro.setWordWrap(True)
        self.inputs = QListWidget()
        if first is not None:
            self.inputs.addItem(str(first))
        add, remove = QPushButton("Add…"), QPushButton("Remove")
        add.clicked.connect(self._add)
        remove.clicked.connect(lambda: [self.inputs.takeItem(self.inputs.row(i))
                                        for i in self.inputs.selectedItems()])
        side = QVBoxLayout()
        side.addWidget(add)
        side.addWidget(remove)
        side.addStretch(1)
        files = QHBoxLayout()
        files.addWidget(self.inputs, 1)
        files.addLayout(side)
        self.output = QLineEdit()
        self.output.setPlaceholderText("the new merged project file")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_output)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(browse)
        self.class_map = QLineEdit()
        self.class_map.setPlaceholderText("optional: lesion=abnormal, nodule=abnormal")
        form = QFormLayout()
        form.addRow("Merge into", out_row)
        form.addRow("Rename classes", self.class_map)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Merge")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Project files"))
        layout.addLayout(files)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.inputs.model().rowsInserted.connect(self._validate)
        self.inputs.model().rowsRemoved.connect(self._validate)
        self.output.textChanged.connect(self._validate)
        self._validate()

    def _add(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Project files to merge", "", FILTER)
        for path in paths:
            self.inputs.addItem(path)

    def _choose_output(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Merged project", "", FILTER)
        if path:
            self.output.setText(path if path.endswith(".alstudio") else f"{path}.alstudio")

    def _validate(self) -> None:
        ok = self.inputs.count() >= 2 and bool(self.output.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def request(self) -> MergeRequest:
        pairs = [p.strip() for p in self.class_map.text().split(",") if p.strip()]
        return MergeRequest(inputs=[Path(self.inputs.item(i).text())
                                    for i in range(self.inputs.count())],
                            output=Path(self.output.text().strip()), class_map=pairs)

    @classmethod
    def ask(cls, parent: QWidget | None, first: Path | None = None) -> MergeRequest | None:
        dialog = cls(first, parent)
        return dialog.request() if dialog.exec() == QDialog.DialogCode.Accepted else None
