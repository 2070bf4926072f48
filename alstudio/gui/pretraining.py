"""Pretraining the encoder on the unlabeled pool from the window, in the background.

Rounds > Learn from the unlabeled pool (Ctrl+Shift+P) opens
:class:`~alstudio.gui.dialogs.pretrain_dialog.PretrainDialog`; Start runs
:func:`alstudio.workflow.pretrain.run_pretrain` (what `alstudio pretrain` runs) in a
:class:`~alstudio.gui.worker.Worker` with all cores but one, so labeling stays responsive.
torch loads in that thread, never on the GUI thread. The status bar says whether the project
has an encoder; the Run round dialog offers starting from it (opt-in: measured, it did not
help). After an import that leaves a big pool and no encoder, it suggests one, once
per project, without a popup.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alstudio.gui.actions import Actions
from alstudio.gui.dialogs.pretrain_dialog import PretrainDialog, format_duration
from alstudio.gui.error_path import report_error
from alstudio.gui.rounds import gui_threads
from alstudio.gui.settings import qsettings
from alstudio.gui.worker import Worker
from alstudio.jobs import CancelToken, ProgressCallback
from alstudio.workflow.pretrain_plan import PretrainPlan, plan_pretrain, stored_encoder_epochs

if TYPE_CHECKING:
    from alstudio.gui.main_window import MainWindow

log = logging.getLogger(__name__)
OFFERED_KEY = "pretrain/offered/"


def pretrain_job(project_path: Path, epochs: int, fresh: bool, *,
                 progress: ProgressCallback, cancel: CancelToken) -> Any:
    """Run the pretraining job in the worker (torch loads here), leaving a core free."""
    from alstudio.workflow.pretrain import run_pretrain

    return run_pretrain(Path(project_path), epochs=epochs, fresh=fresh, threads=gui_threads(),
                        progress=progress, cancel=cancel)


class PoolPretraining:
    """The window's pretraining: its action, dialog, job, status-bar line and hint."""

    def __init__(self, window: MainWindow, actions: Actions) -> None:
        self.window = window
        self.dialog: PretrainDialog | None = None
        self.worker: Worker | None = None
        self._path: Path | None = None  # the project the dialog (and its job) belong to
        self._stored_before: int | None = None  # the newest encoder when the run started
        actions.pretrain.triggered.connect(self.show_dialog)
        window.project_opened.connect(self._project_opened)

    def _project_opened(self, path: Path) -> None:
        """Show the new project's encoder; an idle dialog of another project goes."""
        self.refresh_status()
        if self.dialog is not None and self.worker is None and self._path != path:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    # -- what the project has ---------------------------------------------------------------
    def plan(self) -> PretrainPlan | None:
        session = self.window.session
        return plan_pretrain(session.project, gui_threads()) if session is not None else None

    def epochs(self) -> int | None:
        """The open project's stored encoder's epochs, None without one (a cheap read; a
        damaged file gives None: the window's own reads report the damage)."""
        session = self.window.session
        try:
            return stored_encoder_epochs(session.project) if session is not None else None
        except (sqlite3.DatabaseError, ValueError) as exc:
            log.warning("could not read the stored encoder: %s", exc)
            return None

    def refresh_status(self) -> None:
        """The status bar's encoder line for the open project."""
        epochs = self.epochs()
        if epochs is None:
            self.window.status.show_encoder("")
            return
        self.window.status.show_encoder(
            f"Encoder: {epochs} epochs",
            "An encoder learned from the unlabeled pool: Run round offers starting from it "
            "(Rounds > Learn from the unlabeled pool adds epochs)")

    def after_import(self) -> None:
        """Suggest pretraining once per project when the pool is big and has no encoder."""
        session, plan = self.window.session, self.plan()
        if session is None or plan is None or not plan.worth_offering:
            return
        store = qsettings()
        key = OFFERED_KEY + hashlib.sha1(str(session.path.resolve()).encode()).hexdigest()
        if store.value(key, False, bool):
            return
        store.setValue(key, True)
        self.window.status.showMessage(
            f"{plan.images:,} scans in the pool and no encoder yet: Rounds > Learn from the "
            f"unlabeled pool (Ctrl+Shift+P) can learn one from them in about "
            f"{format_duration(plan.seconds(20))}; Run round then offers starting from it.",
            30_000)

    # -- the dialog and the job -------------------------------------------------------------
    def show_dialog(self) -> PretrainDialog | None:
        session, plan = self.window.session, self.plan()
        if session is None or plan is None:
            return None
        if self.dialog is not None and self._path != session.path and self.worker is None:
            self._project_opened(session.path)
        if self.dialog is None:
            self.dialog = PretrainDialog(plan, self.window)
            self.dialog.start_requested.connect(self.start)
            self._path = session.path
        elif self.worker is None:
            self.dialog.set_plan(plan)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def start(self, epochs: int, fresh: bool) -> Worker | None:
        """Start a run on the open project (one at a time); None when it cannot start."""
        session = self.window.session
        if session is None or self.worker is not None or self.dialog is None:
            return None
        if session.path != self._path:
            self.dialog.show_outcome("This window belongs to another project: open it again "
                                     "from the Rounds menu.")
            return None
        if self.window.rounds.running:
            self.dialog.show_outcome("A round is running: start pretraining when it is done.")
            return None
        self._stored_before = self.dialog.plan.checkpoint_id
        worker = Worker(pretrain_job, session.path, epochs, fresh, name="pretrain",
                        parent=self.window)
        worker.succeeded.connect(self._done)
        worker.cancelled.connect(self._cancelled)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._stopped)
        self.worker = worker
        self.dialog.follow(worker)
        worker.start()
        self.window.status.showMessage("Learning from the unlabeled pool in the background…",
                                       8000)
        return worker

    def cancel(self) -> None:
        if self.dialog is not None:
            self.dialog.cancel()

    def _ours(self) -> bool:
        session = self.window.session
        return session is not None and session.path == self._path

    def _done(self, outcome: Any) -> None:
        resumed = (f", continuing checkpoint {outcome.resumed_from}" if outcome.resumed_from
                   else "")
        text = (f"Encoder ready: {outcome.epochs_done} epoch(s) in all{resumed}, loss "
                f"{outcome.last_loss:.3f}, {format_duration(outcome.seconds)}. Run round offers "
                "starting from it (measured: no gain at natural balance, worse with a rare "
                "class).")
        self._after(text)
        if self._ours():
            self.window.status.showMessage(text, 20_000)

    def _cancelled(self) -> None:
        plan = self.plan() if self._ours() else None
        if plan is not None and plan.checkpoint_id != self._stored_before:
            text = (f"Cancelled. The finished epochs are kept: the encoder has "
                    f"{plan.encoder_epochs} epoch(s), offered in Run round; Start continues "
                    "from there.")
        else:
            text = ("Cancelled before an epoch finished: nothing was stored, the project is "
                    "as it was.")
        self._after(text)
        if self._ours():
            self.window.status.showMessage(text, 15_000)

    def _failed(self, exc: BaseException) -> None:
        self._after("Pretraining failed; nothing was stored.")
        report_error(self.window, exc, "Pretraining failed")

    def _after(self, text: str) -> None:
        if self._ours():
            self.refresh_status()
        if self.dialog is not None:
            plan = self.plan() if self._ours() else None
            if plan is not None:
                self.dialog.set_plan(plan)
            self.dialog.show_outcome(text)

    def _stopped(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.deleteLater()
