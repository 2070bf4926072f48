"""Background jobs for the GUI: run an engine function in its own thread, report on the GUI
thread.

The engine's long jobs (import, demo build, a round) all take ``progress`` and ``cancel``
keywords (:mod:`alstudio.jobs`). :class:`Worker` runs one such function in a dedicated QThread
and turns its progress callbacks and its outcome into Qt signals. The signals are re-emitted
from a slot of the worker itself, which lives on the GUI thread, so every listener (a bound
method or a plain lambda) runs on the GUI thread and may touch widgets.

The function must open its own project connection: SQLite connections belong to one thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from alstudio.errors import Cancelled
from alstudio.jobs import CancelToken, Progress

log = logging.getLogger(__name__)

#: Workers still running; holding them here keeps Python from collecting a live thread.
_LIVE: set[Worker] = set()


class _Runner(QThread):
    """The thread: calls the function and hands each event to the worker's relay signal."""

    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self._worker = worker

    def run(self) -> None:
        self._worker._execute()


class Worker(QObject):
    """One background call of ``fn(*args, progress=..., cancel=..., **kwargs)``.

    Signals, all delivered on the GUI thread: ``progressed(Progress)`` while it runs, then
    exactly one of ``succeeded(result)``, ``failed(exception)`` or ``cancelled()``, then
    ``finished()`` once the thread has stopped.
    """

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    # emitted from the worker thread; queued to this object's (GUI) thread
    _relay_progress = Signal(object)
    _relay_outcome = Signal(str, object)

    def __init__(self, fn: Callable[..., Any], *args: Any, name: str = "",
                 parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent)
        self.name = name or getattr(fn, "__name__", "job")
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self.token = CancelToken()
        self._thread: _Runner | None = None
        self._started_at = 0.0
        self.outcome: str | None = None  # "succeeded" | "failed" | "cancelled"
        self._relay_progress.connect(self._on_progress)
        self._relay_outcome.connect(self._on_outcome)

    # -- control (GUI thread) ---------------------------------------------------------------
    def start(self) -> Worker:
        if self._thread is not None:
            raise RuntimeError(f"worker {self.name!r} was started already")
        self._thread = _Runner(self)
        self._thread.setObjectName(f"alstudio-{self.name}")
        self._thread.finished.connect(self._on_thread_finished)
        _LIVE.add(self)
        self._started_at = time.monotonic()
        log.info("job %s started", self.name)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next batch; ``cancelled`` follows when it has."""
        self.token.cancel()

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started_at if self._started_at else 0.0

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread ends (shutdown and tests only); True if it did."""
        if self._thread is None:
            return True
        return self._thread.wait(msecs)

    # -- the worker thread ------------------------------------------------------------------
    def _execute(self) -> None:
        try:
            result = self._fn(*self._args, progress=self._relay_progress.emit,
                              cancel=self.token, **self._kwargs)
        except Cancelled:
            self._relay_outcome.emit("cancelled", None)
        except BaseException as exc:  # reported on the GUI thread, never lost in the thread
            self._relay_outcome.emit("failed", exc)
        else:
            if self.token.cancelled and result is None:
                self._relay_outcome.emit("cancelled", None)
            else:
                self._relay_outcome.emit("succeeded", result)

    # -- back on the GUI thread -------------------------------------------------------------
    @Slot(object)
    def _on_progress(self, step: Progress) -> None:
        if self.outcome is None:
            self.progressed.emit(step)

    @Slot(str, object)
    def _on_outcome(self, outcome: str, value: object) -> None:
        self.outcome = outcome
        log.info("job %s %s after %.1f s", self.name, outcome, self.elapsed)
        if outcome == "succeeded":
            self.succeeded.emit(value)
        elif outcome == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(value)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is not None:
            self._thread.wait()
        _LIVE.discard(self)
        self.finished.emit()


def live_workers() -> list[Worker]:
    return list(_LIVE)


def shutdown_workers(timeout_ms: int = 10_000) -> bool:
    """Cancel every running job and wait for its thread (on quit); True if all stopped."""
    workers = live_workers()
    for worker in workers:
        worker.cancel()
    stopped = True
    deadline = time.monotonic() + timeout_ms / 1000
    for worker in workers:
        left = max(0, int((deadline - time.monotonic()) * 1000))
        if not worker.wait(left):
            log.warning("job %s did not stop within %d ms", worker.name, timeout_ms)
            stopped = False
    return stopped
