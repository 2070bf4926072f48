"""The window's side of a round: Run round… and Cancel, the status bar's round progress, the
queue reloaded when it is done, and the device line (which loads torch, so it waits).

The round itself runs in :class:`~alstudio.gui.rounds.RoundRunner`'s worker; this module only
connects it to the window's actions, dialog and status bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alstudio.gui.dialogs.round_dialog import RoundDialog
from alstudio.gui.error_path import report_error
from alstudio.gui.idle import IdleTrigger
from alstudio.gui.rounds import RoundRunner, device_job, engine_available
from alstudio.gui.worker import Worker
from alstudio.workflow.round import RoundConfig

if TYPE_CHECKING:
    from alstudio.gui.main_window import MainWindow

DEVICE_PROBE_QUIET_MS = 1500  # input-free wait before loading the model stack


class RoundControls:
    """Starts rounds for the window (the last request is the window's ``round_request``)."""

    def __init__(self, window: MainWindow, rounds: RoundRunner) -> None:
        self.window = window
        self.rounds = rounds
        self._device_asked = False
        # the device probe loads torch: it waits until the window is up and the user pauses
        self.device_idle = IdleTrigger(DEVICE_PROBE_QUIET_MS, window)
        self.device_idle.idle.connect(self.ask_device)
        status, a = window.status, window.actions
        a.run_round.triggered.connect(self.run_round)
        a.cancel_round.triggered.connect(rounds.cancel)
        rounds.started.connect(status.round_progress.begin)
        rounds.stepped.connect(status.round_progress.step)
        rounds.succeeded.connect(self._done)
        rounds.failed.connect(lambda exc: report_error(window, exc, "The round failed"))
        rounds.cancelled.connect(lambda: status.showMessage(
            "Round cancelled; the project is as it was before.", 8000))
        rounds.stopped.connect(self._stopped)
        status.round_progress.cancel_requested.connect(rounds.cancel)

    def run_round(self) -> None:
        """Run round…: ask for the request (the last one filled in), then start it."""
        session = self.window.session
        if session is None or self.rounds.running or not engine_available():
            return
        request = RoundDialog.ask(self.window, self.window.round_request,
                                  session.labeled_items(), self.window.pretraining.epochs())
        if request is not None:
            self.start_round(request)

    def start_round(self, request: RoundConfig) -> bool:
        session = self.window.session
        if session is None:
            return False
        self.window.round_request = request
        started = self.rounds.start(session.path, request)
        self.window.update_actions()
        return started

    def _done(self, outcome: object) -> None:
        session = self.window.session
        if session is None or self.rounds.project_path != session.path:
            return  # the project was closed meanwhile; its file has the round
        session.reload_queue()
        self.window.progress_panel.refresh()
        info = getattr(outcome, "round", None)
        number = getattr(info, "number", "?")
        self.window.status.showMessage(f"Round {number} done: {len(session.entries)} items "
                                       "queued.", 10_000)

    def _stopped(self) -> None:
        self.window.status.round_progress.end()
        self.window.update_actions()

    def project_shown(self) -> None:
        """A project is on screen: ask for the device line at the user's next pause."""
        self.device_idle.arm()

    def ask_device(self) -> None:
        """The device line needs torch: ask once, in a worker, after the window is up."""
        window = self.window
        if window.session is None or not window.isVisible():
            return
        if self._device_asked or not engine_available():
            if not engine_available():
                window.status.show_device("— (no round engine)")
            return
        self._device_asked = True
        worker = Worker(device_job, name="device", parent=window)
        worker.succeeded.connect(window.status.show_device)
        worker.failed.connect(lambda exc: window.status.show_device("unknown"))
        worker.finished.connect(worker.deleteLater)
        worker.start()

    def stop(self) -> None:
        """The window is closing: no device probe after this."""
        self.device_idle.disarm()
