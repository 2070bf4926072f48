"""A small modal dialog that follows one background job: its phase, a bar, and Cancel.

Used for jobs the user waits on (building the demo); rounds instead report in the status
bar, because labeling goes on while they run.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.worker import Worker
from alstudio.jobs import Progress


class JobDialog(QDialog):
    """Closes itself when the worker stops; Cancel (or Esc) asks the worker to stop."""

    def __init__(self, worker: Worker, title: str, text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self.worker = worker
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.phase = QLabel("starting")
        self.phase.setProperty("role", "dim")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        layout.addWidget(self.phase)
        layout.addWidget(self.buttons)
        worker.progressed.connect(self._progressed)
        worker.finished.connect(self.accept)

    def _progressed(self, step: Progress) -> None:
        self.phase.setText(step.message or step.phase)
        if step.fraction is not None:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(step.fraction * 1000))

    def reject(self) -> None:
        if self.worker.is_running:
            self.phase.setText("cancelling…")
            self.buttons.setEnabled(False)
            self.worker.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.worker.is_running:
            self.reject()
            event.ignore()
            return
        super().closeEvent(event)
