"""Import scans: choose folders or files and a split, import in the background, then list
every skipped file with its reason (copyable, so a broken export can be sent back to PACS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.dialogs.report_dialog import ReportDialog
from alstudio.gui.error_path import report_error
from alstudio.gui.worker import Worker
from alstudio.jobs import CancelToken, Progress, ProgressCallback

SPLIT_CHOICES = (
    ("Pool: to be labeled", "pool"),
    ("Test: held out for evaluation, never queued", "test"),
    ("As the archive says (MedMNIST splits), else pool", None),
)


def import_job(project_path: Path, paths: list[Path], split: str | None, *,
               progress: ProgressCallback, cancel: CancelToken) -> Any:
    """Runs in the worker thread, on its own connection to the project."""
    from alstudio.project import Project
    from alstudio.workflow.importer import import_paths

    with Project.open(project_path) as project:
        return import_paths(project, paths, split, progress=progress, cancel=cancel)


def skipped_as_tsv(skipped: list[dict[str, str]]) -> str:
    lines = ["path\treason"]
    lines += [f"{row['path']}\t{' '.join(row['reason'].split())}" for row in skipped]
    return "\n".join(lines) + "\n"


class ImportDialog(ReportDialog):
    """Emits ``imported(report)`` when an import finished (also after a cancel)."""

    cancelling_text = "Cancelling after the current batch…"

    title = "Import scans"
    minimum_size = (680, 480)
    imported = Signal(object)

    def __init__(self, project_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(project_path, parent)

        self.paths = QListWidget()
        add_folder = QPushButton("Add folder…")
        add_folder.clicked.connect(self._add_folder)
        add_files = QPushButton("Add files…")
        add_files.clicked.connect(self._add_files)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.paths.clear)
        self.split = QComboBox()
        for text, value in SPLIT_CHOICES:
            self.split.addItem(text, value)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.message = QLabel("Folders are searched recursively. DICOM series are grouped "
                              "into volumes.")
        self.message.setProperty("role", "dim")
        self.message.setWordWrap(True)

        self.skipped = QTableWidget(0, 2)
        self.skipped.setHorizontalHeaderLabels(["Skipped file", "Reason"])
        header = self.skipped.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.skipped.verticalHeader().hide()
        self.skipped.setWordWrap(False)
        self.skipped.hide()
        self.copy_button = QPushButton("Copy list")
        self.copy_button.setToolTip("Copy the skipped files and reasons (tab-separated)")
        self.copy_button.clicked.connect(self.copy_skipped)
        self.copy_button.hide()

        self.start_button = QPushButton("Import")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel_or_close)

        path_buttons = QHBoxLayout()
        for button in (add_folder, add_files, clear):
            path_buttons.addWidget(button)
        path_buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("Split", self.split)
        bottom = QHBoxLayout()
        bottom.addWidget(self.copy_button)
        bottom.addStretch(1)
        bottom.addWidget(self.start_button)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Files and folders"))
        layout.addWidget(self.paths, 1)
        layout.addLayout(path_buttons)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.skipped, 2)
        layout.addLayout(bottom)

    # -- choosing ---------------------------------------------------------------------------
    def add_paths(self, paths: list[Path]) -> None:
        known = {self.paths.item(i).text() for i in range(self.paths.count())}
        for path in paths:
            if str(path) not in known:
                self.paths.addItem(str(path))

    def chosen_paths(self) -> list[Path]:
        return [Path(self.paths.item(i).text()) for i in range(self.paths.count())]

    def set_split(self, split: str | None) -> None:
        self.split.setCurrentIndex(self.split.findData(split))

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of scans")
        if folder:
            self.add_paths([Path(folder)])

    def _add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Scan files", "",
            "Scans (*.dcm *.DCM *.nii *.nii.gz *.png *.jpg *.jpeg *.tif *.tiff *.npz);;"
            "All files (*)")
        self.add_paths([Path(f) for f in files])

    # -- running ----------------------------------------------------------------------------
    def start(self) -> None:
        paths = self.chosen_paths()
        if not paths or self.worker is not None:
            return
        self.start_button.setEnabled(False)
        self.progress.setRange(0, 0)  # the total is unknown until the folders are walked
        self.message.setText("Importing…")
        self.worker = Worker(import_job, self.project_path, paths, self.split.currentData(),
                             name="import", parent=self)
        self.worker.progressed.connect(self._progressed)
        self.worker.succeeded.connect(self._done)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(lambda: self._finish("Cancelled."))
        self.worker.start()

    def _progressed(self, step: Progress) -> None:
        self.message.setText(step.message or f"{step.phase} {step.done}")

    def _done(self, report: Any) -> None:
        self.report = report
        self._finish(report.summary())
        self.skipped.setRowCount(len(report.skipped))
        for row, entry in enumerate(report.skipped):
            path_item = QTableWidgetItem(entry["path"])
            path_item.setToolTip(entry["path"])
            self.skipped.setItem(row, 0, path_item)
            self.skipped.setItem(row, 1, QTableWidgetItem(entry["reason"]))
        self.skipped.setVisible(bool(report.skipped))
        self.copy_button.setVisible(bool(report.skipped))
        if report.skipped:
            self.skipped.setColumnWidth(0, max(260, self.skipped.width() // 2))
        self.imported.emit(report)

    def _failed(self, error: BaseException) -> None:
        self._finish("The import stopped with an error.")
        report_error(self, error, "Import failed")

    def _finish(self, text: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.message.setText(text)
        self.cancel_button.setText("Close")
        self.start_button.setEnabled(False)

    def skipped_rows(self) -> list[tuple[str, str]]:
        def text(row: int, column: int) -> str:
            cell = self.skipped.item(row, column)
            return cell.text() if cell is not None else ""

        return [(text(r, 0), text(r, 1)) for r in range(self.skipped.rowCount())]

    def copy_skipped(self) -> None:
        if self.report is not None:
            QApplication.clipboard().setText(skipped_as_tsv(self.report.skipped))
