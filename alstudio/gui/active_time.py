"""Active time on an item: how long the annotator really looked at it.

The clock runs only while the item is shown, the application is the active one, and the
user has touched keyboard or mouse within the last :data:`IDLE_AFTER_S` seconds. Coffee breaks,
another window in front, or a phone call do not inflate what a label costs, which is what the
time statistics (and any cost-aware strategy) rely on.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from alstudio.gui.idle import USER_INPUT_EVENTS
from alstudio.project.timeutil import utc_now

IDLE_AFTER_S = 60.0


class ActiveTimer(QObject):
    """Measures active seconds for the item on screen; :meth:`restart` for each new item."""

    def __init__(self, app: QApplication, idle_after_s: float = IDLE_AFTER_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._idle_after_ms = int(idle_after_s * 1000)
        self._clock = QElapsedTimer()  # runs while counting
        self._input = QElapsedTimer()  # since the last keyboard or mouse input
        self._input.start()
        self._banked_ms = 0
        self._counting = False
        self._has_item = False
        self.started_at: str | None = None
        self._idle_check = QTimer(self)
        self._idle_check.setInterval(max(50, min(1000, self._idle_after_ms // 4)))
        self._idle_check.timeout.connect(self._check_idle)
        app.applicationStateChanged.connect(self._state_changed)
        app.installEventFilter(self)

    # -- public -----------------------------------------------------------------------------
    def restart(self) -> None:
        """A new item is shown: start from zero."""
        self._banked_ms = 0
        self._counting = False
        self._has_item = True
        self.started_at = utc_now()
        self._input.restart()
        self._resume()
        self._idle_check.start()

    def stop(self) -> None:
        """No item on screen any more."""
        self._pause()
        self._has_item = False
        self._idle_check.stop()

    def seconds(self) -> float:
        running = self._clock.elapsed() if self._counting else 0
        return (self._banked_ms + running) / 1000.0

    @property
    def counting(self) -> bool:
        return self._counting

    def detach(self) -> None:
        self._idle_check.stop()
        self._app.removeEventFilter(self)

    # -- internals --------------------------------------------------------------------------
    def _resume(self) -> None:
        if self._has_item and not self._counting and self._app_active():
            self._clock.restart()
            self._counting = True

    def _pause(self, overshoot_ms: int = 0) -> None:
        if self._counting:
            self._banked_ms += max(0, self._clock.elapsed() - overshoot_ms)
            self._counting = False

    def _app_active(self) -> bool:
        state = self._app.applicationState()
        # offscreen and minimal platforms report "inactive" forever; count there too
        return state == Qt.ApplicationState.ApplicationActive or \
            self._app.platformName() in ("offscreen", "minimal")

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self._resume()
        else:
            self._pause()

    def _check_idle(self) -> None:
        idle_ms = self._input.elapsed()
        if self._counting and idle_ms > self._idle_after_ms:
            # count up to the idle threshold after the last input, not the minutes after it
            self._pause(overshoot_ms=min(idle_ms - self._idle_after_ms, self._clock.elapsed()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in USER_INPUT_EVENTS:
            self._input.restart()
            if not self._counting:
                self._resume()
        return False
