"""File > Export: choose a format, a split and options, export in the background with
progress and Cancel, then show what was written and what was left out (and why)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.dialogs.report_dialog import ReportDialog
from alstudio.gui.error_path import report_error
from alstudio.gui.worker import Worker
from alstudio.jobs import CancelToken, Progress, ProgressCallback

FORMAT_CHOICES = (
    ("CSV table: one row per item, every reader", "csv"),
    ("JSON: one object per item, every reader", "json"),
    ("MONAI datalist (training / validation / test)", "monai"),
    ("Folder per class (PNG / NIfTI)", "folders"),
    ("DICOM copies, de-identified", "dicom"),
    ("DICOM Structured Reports of the labels", "dicom-sr"),
    ("Model: safetensors + model card", "model"),
)
SPLIT_CHOICES = (("Pool and test", "all"), ("Pool only", "pool"), ("Test only", "test"))
# which options mean something for which format
_APPLIES = {"include_unlabeled": {"csv", "json", "monai"}, "val_fraction": {"monai"},
            "copy": {"monai"}, "keep_identifiers": {"dicom"}, "allow_burned_in": {"dicom"}}


def export_job(project_path: Path, out: Path, options: Any, *, progress: ProgressCallback,
               cancel: CancelToken) -> Any:
    """Runs in the worker thread, on its own connection to the project."""
    from alstudio.workflow.export import run_export

    return run_export(project_path, out, options, progress=progress, cancel=cancel)


class ExportDialog(ReportDialog):
    """Emits ``exported(report)`` when an export has been written."""

    title = "Export"
    minimum_size = (620, 460)
    exported = Signal(object)

    def __init__(self, project_path: Path, parent: QWidget | None = None) -> None:
        """Build the form; options that do not apply to the chosen format are disabled."""
        super().__init__(project_path, parent)

        self.format = QComboBox()
        for text, value in FORMAT_CHOICES:
            self.format.addItem(text, value)
        self.split = QComboBox()
        for text, value in SPLIT_CHOICES:
            self.split.addItem(text, value)
        self.out = QLineEdit()
        self.out.setPlaceholderText("an empty folder")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.include_unlabeled = QCheckBox("Include unlabeled items")
        self.val_fraction = QDoubleSpinBox()
        self.val_fraction.setRange(0.0, 0.9)
        self.val_fraction.setSingleStep(0.05)
        self.val_fraction.setValue(0.2)
        self.val_fraction.setMaximumWidth(110)
        self.val_fraction.setToolTip("Share of each class of the labeled pool set aside for "
                                     "validation (stratified, seeded)")
        self.copy = QCheckBox("Copy images into the export (else reference them)")
        self.keep_identifiers = QCheckBox("Keep patient identifiers (NOT de-identified)")
        self.allow_burned_in = QCheckBox("Include files that may show identifiers in the pixels")
        self.force = QCheckBox("Write into a non-empty folder")
        self.format.currentIndexChanged.connect(self._update_options)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message = QLabel("DICOM copies are de-identified (DICOM PS3.15 Annex E) unless "
                              "you ask otherwise. Every export writes a manifest.json.")
        self.message.setWordWrap(True)
        self.message.setProperty("role", "dim")
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.hide()

        self.start_button = QPushButton("Export")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel_or_close)

        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Split", self.split)
        form.addRow("Folder", out_row)
        form.addRow("", self.include_unlabeled)
        form.addRow("Validation share", self.val_fraction)
        form.addRow("", self.copy)
        form.addRow("", self.keep_identifiers)
        form.addRow("", self.allow_burned_in)
        form.addRow("", self.force)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.start_button)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.details, 1)
        layout.addLayout(bottom)
        self._update_options()

    # -- choosing ---------------------------------------------------------------------------
    def set_format(self, fmt: str) -> None:
        """Choose a format by its name (``csv``, ``dicom`` ...)."""
        self.format.setCurrentIndex(self.format.findData(fmt))

    def set_out(self, folder: Path) -> None:
        """Set the target folder."""
        self.out.setText(str(folder))

    def _browse(self) -> None:
        """Ask for the target folder."""
        folder = QFileDialog.getExistingDirectory(self, "Export into")
        if folder:
            self.set_out(Path(folder))

    def _update_options(self) -> None:
        """Enable only the options the chosen format reads."""
        fmt = self.format.currentData()
        widgets = {"include_unlabeled": self.include_unlabeled,
                   "val_fraction": self.val_fraction, "copy": self.copy,
                   "keep_identifiers": self.keep_identifiers,
                   "allow_burned_in": self.allow_burned_in}
        for name, widget in widgets.items():
            widget.setEnabled(fmt in _APPLIES[name])

    def options(self) -> Any:
        """The chosen options as the engine takes them."""
        from alstudio.export.common import ExportOptions

        fmt = self.format.currentData()
        return ExportOptions(
            format=fmt, split=self.split.currentData(),
            include_unlabeled=self.include_unlabeled.isChecked() and
            fmt in _APPLIES["include_unlabeled"],
            keep_identifiers=self.keep_identifiers.isChecked() and fmt == "dicom",
            val_fraction=round(self.val_fraction.value(), 3), copy=self.copy.isChecked(),
            allow_burned_in=self.allow_burned_in.isChecked() and fmt == "dicom",
            force=self.force.isChecked())

    # -- running ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the export in a worker thread; after a failure the user may try again."""
        if self.worker is not None and (self.worker.is_running or
                                        self.worker.outcome != "failed"):
            return  # one export per dialog; after a failure the user may fix and retry
        if not self.out.text().strip():
            self.message.setText("Choose a folder to export into.")
            return
        self.start_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.message.setText("Exporting…")
        self.worker = Worker(export_job, self.project_path, Path(self.out.text().strip()),
                             self.options(), name="export", parent=self)
        self.worker.progressed.connect(self._progressed)
        self.worker.succeeded.connect(self._done)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(
            lambda: self._finish("Cancelled: nothing was written."))
        self.worker.start()

    def _progressed(self, step: Progress) -> None:
        """Show the step's progress and message."""
        if step.total:
            self.progress.setRange(0, step.total)
            self.progress.setValue(step.done)
        self.message.setText(step.message or f"{step.phase}: {step.done}"
                             + (f" of {step.total}" if step.total else ""))

    def _done(self, report: Any) -> None:
        """Show the summary, warnings and what was left out, then tell listeners."""
        self.report = report
        self._finish(report.summary())
        lines = [f"WARNING: {w}" for w in report.warnings]
        lines += [f"left out: {e['path']}: {e['reason']}" for e in report.left_out]
        if lines:
            self.details.setPlainText("\n".join(lines))
            self.details.show()
        self.exported.emit(report)

    def _failed(self, error: BaseException) -> None:
        """Show the error; the user may fix the cause and try again."""
        self._finish("The export stopped; nothing was written.")
        report_error(self, error, "Export failed")
        self.start_button.setEnabled(True)

    def _finish(self, text: str) -> None:
        """Put the dialog in its finished state."""
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.message.setText(text)
        self.cancel_button.setText("Close")
        self.start_button.setEnabled(False)
