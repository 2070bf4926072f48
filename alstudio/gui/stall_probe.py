"""Measure how responsive the event loop is: a timer that should tick every few ms.

When the GUI thread is blocked (a slow slot, a long import holding the GIL), ticks arrive
late; the largest gap between ticks is the longest time the window could not react. The
tests, the responsiveness benchmark and the log (stalls over a threshold) all use this.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Qt, QTimer

log = logging.getLogger(__name__)


class EventLoopProbe(QObject):
    def __init__(self, interval_ms: int = 10, log_over_ms: float | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.log_over_ms = log_over_ms
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.gaps_ms: list[float] = []

    def start(self) -> None:
        self.gaps_ms = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000.0
        self._last = now
        self.gaps_ms.append(gap)
        if self.log_over_ms is not None and gap > self.log_over_ms:
            log.warning("the window did not respond for %.0f ms", gap)

    @property
    def max_gap_ms(self) -> float:
        """The longest time between two ticks (0 before the second tick)."""
        return max(self.gaps_ms, default=0.0)

    def percentile(self, q: float) -> float:
        if not self.gaps_ms:
            return 0.0
        ordered = sorted(self.gaps_ms)
        return ordered[min(len(ordered) - 1, int(q / 100.0 * len(ordered)))]
