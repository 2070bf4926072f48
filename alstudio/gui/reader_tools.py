"""The window's tools for several readers: agreement, the label check and merging files.

Each opens a dialog or runs a background job over the same engine functions as the CLI
(`alstudio agreement`, `label-errors`, `merge`); this module only wires them to the window's
actions, so the window itself gains one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

from alstudio.errors import AlstudioError
from alstudio.gui.actions import Actions
from alstudio.gui.dialogs.agreement_dialog import AgreementDialog
from alstudio.gui.dialogs.job_dialog import JobDialog
from alstudio.gui.dialogs.merge_dialog import MergeDialog, MergeRequest, merge_job
from alstudio.gui.error_path import report_error
from alstudio.gui.panels.suspects_model import SuspectsModel
from alstudio.gui.rounds import gui_threads
from alstudio.gui.worker import Worker
from alstudio.jobs import CancelToken, ProgressCallback

if TYPE_CHECKING:
    from alstudio.gui.main_window import MainWindow


def label_check_job(project_path: Path, *, progress: ProgressCallback,
                    cancel: CancelToken) -> Any:
    from alstudio.workflow.label_errors import LabelCheckConfig, check_labels

    return check_labels(project_path, LabelCheckConfig(threads=gui_threads()),
                        progress=progress, cancel=cancel)


class ReaderTools:
    def __init__(self, window: MainWindow, a: Actions) -> None:
        self.window = window
        self.agreement_dialog: AgreementDialog | None = None
        a.agreement.triggered.connect(self.show_agreement)
        a.check_labels.triggered.connect(self.check_labels)
        a.merge_projects.triggered.connect(self.merge)
        a.second_read_suspects.triggered.connect(self.second_read_suspects)
        window.queue_panel.second_read_requested.connect(self.second_read_suspects)

    def show_agreement(self) -> AgreementDialog | None:
        session = self.window.session
        if session is None:
            return None
        dialog = self.agreement_dialog
        if dialog is not None and dialog.project_path == session.path:
            dialog.show()
            dialog.raise_()
            dialog.refresh()
            return dialog
        if dialog is not None:
            dialog.close()
        self.agreement_dialog = AgreementDialog.present(session.path, self.window)
        return self.agreement_dialog

    def check_labels(self) -> Worker | None:
        session = self.window.session
        if session is None:
            return None
        worker = Worker(label_check_job, session.path, name="label-check", parent=self.window)
        worker.succeeded.connect(self._checked)
        worker.failed.connect(lambda exc: report_error(self.window, exc,
                                                       "The label check failed"))
        dialog = JobDialog(worker, "Checking labels",
                           "Cross-validating the model on the labeled scans to find labels "
                           "its out-of-sample predictions contradict. No label is changed.",
                           self.window)
        worker.finished.connect(dialog.deleteLater)
        worker.finished.connect(worker.deleteLater)
        worker.start()
        dialog.open()
        return worker

    def _checked(self, outcome: Any) -> None:
        if self.window.session is None:
            return
        self.window.queue_panel.reload_suspects()
        self.window.status.showMessage(
            f"Label check: {len(outcome.suspects)} suspected label error(s) among "
            f"{outcome.checked} label(s); listed in the queue panel.", 10_000)

    def second_read_suspects(self) -> int | None:
        """Send the suspects this reader is shown for a second read (as `alstudio
        label-errors --second-read` does); says how many went. None without a project."""
        session = self.window.session
        if session is None:
            return None
        from alstudio.workflow.label_errors import send_for_second_read

        listed = SuspectsModel(session).ids
        if not listed:
            self.window.status.showMessage("No suspected label errors listed: run Rounds > "
                                           "Check labels first.", 10_000)
            return 0
        try:
            sent = send_for_second_read(session.path, listed, actor=session.annotator)
        except AlstudioError as exc:
            report_error(self.window, exc, "Could not send them for a second read")
            return None
        session.reload_queue()
        asked = len(listed) - sent
        self.window.status.showMessage(
            f"{sent} suspected label error(s) sent for a second read"
            + (f"; {asked} had been asked already" if asked else "")
            + ". No label was changed.", 10_000)
        return sent

    def merge(self) -> Worker | None:
        session = self.window.session
        request = MergeDialog.ask(self.window, session.path if session else None)
        if request is None:
            return None
        return self.run_merge(request)

    def run_merge(self, request: MergeRequest) -> Worker:
        worker = Worker(merge_job, request, name="merge", parent=self.window)
        worker.succeeded.connect(self._merged)
        worker.failed.connect(lambda exc: report_error(self.window, exc, "Merge refused"))
        dialog = JobDialog(worker, "Merging projects", "Merging " + ", ".join(
            p.name for p in request.inputs) + f" into {request.output.name}.", self.window)
        worker.finished.connect(dialog.deleteLater)
        worker.finished.connect(worker.deleteLater)
        worker.start()
        dialog.open()
        return worker

    def _merged(self, result: Any) -> None:
        answer = QMessageBox.question(self.window, "Merged", result.summary()
                                      + "\n\nOpen the merged project now?")
        if answer == QMessageBox.StandardButton.Yes:
            self.window.open_project(Path(result.output), wait=False)
