"""Progress reporting and cancellation shared by every long job.

Import, training, scoring, selection and export all take an optional ``progress`` callback
and an optional :class:`CancelToken`. The CLI turns progress into lines on stderr, the GUI
into Qt signals from a worker thread, and tests into a list: one job, three front ends.
A job checks its token at least once per batch, so cancelling stops it within one batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from alstudio.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """One step of a long job: ``phase`` names it ("indexing", "epoch 3/20", "scoring")."""

    phase: str
    done: int
    total: int | None = None
    message: str = ""

    @property
    def fraction(self) -> float | None:
        """Share of the phase done, or ``None`` when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """A thread-safe flag a GUI sets and a worker polls between batches."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` if cancel was asked for; call it once per batch."""
        if self._event.is_set():
            raise Cancelled()


def report(progress: ProgressCallback | None, phase: str, done: int,
           total: int | None = None, message: str = "") -> None:
    """Send one progress step if anyone listens."""
    if progress is not None:
        progress(Progress(phase, done, total, message))


def check(cancel: CancelToken | None) -> None:
    """Raise :class:`Cancelled` when the (optional) token is set."""
    if cancel is not None:
        cancel.raise_if_cancelled()


class Throttle:
    """Lets a hot loop report progress at most every ``interval`` seconds.

    Import visits thousands of files a second; a signal per file would flood the GUI thread.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self._last = 0.0

    def ready(self) -> bool:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            return True
        return False
