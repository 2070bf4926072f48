"""The cancel-or-close behaviour shared by dialogs that run one job and then show its report.

Import and export work the same way for a reader: Cancel stops a running job at its next
check (and says so), closes the dialog once the job is done, and Esc or the close box never
leave a job running behind a closed window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget

from alstudio.gui.worker import Worker


class ReportDialog(QDialog):
    """A dialog that runs one job on a project: it holds the job's ``worker`` and ``report``;
    its subclass builds the form, with a ``message`` line and a ``cancel_button``."""

    #: What the message line says while a cancelled job winds down.
    cancelling_text = "Cancelling…"
    #: The window's title and smallest size, set by each subclass.
    title = ""
    minimum_size = (600, 440)

    message: QLabel
    cancel_button: QPushButton

    def __init__(self, project_path: Path, parent: QWidget | None = None) -> None:
        """Title, smallest size, the project and no job yet."""
        super().__init__(parent)
        self.setWindowTitle(self.title)
        self.setMinimumSize(*self.minimum_size)
        self.project_path = Path(project_path)
        self.worker: Worker | None = None
        self.report: Any = None

    def _cancel_or_close(self) -> None:
        """Cancel a running job, or close the dialog once it is done."""
        if self.worker is not None and self.worker.outcome is None:
            self.cancel_button.setEnabled(False)
            self.message.setText(self.cancelling_text)
            self.worker.cancel()
            self.worker.finished.connect(lambda: self.cancel_button.setEnabled(True))
            return
        if self.report is not None:
            self.accept()
        else:
            self.reject()

    def reject(self) -> None:
        """Esc or the close box: cancel a running job first; close once it has stopped."""
        if self.worker is not None and self.worker.is_running:
            self._cancel_or_close()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window cancels a running job first."""
        if self.worker is not None and self.worker.is_running:
            self._cancel_or_close()
            event.ignore()
            return
        super().closeEvent(event)

    @classmethod
    def run(cls, parent: QWidget | None, project_path: Path) -> Any:
        """Show the dialog; returns the job's report, or None if the job did not finish."""
        dialog = cls(project_path, parent)
        dialog.exec()
        return dialog.report
