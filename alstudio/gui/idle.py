"""Run a one-off heavy job when the user pauses, not while they work.

Loading the model stack (torch, MONAI) holds the interpreter lock for up to ~200 ms at a
stretch, even in a worker thread; the window cannot repaint meanwhile. Nobody sees a frozen
window while looking at a scan, but everybody feels a key press that answers late. So such
jobs wait for a stretch without keyboard or mouse input.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

#: Keyboard, mouse and touch: what says a person is at the workstation.
USER_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
})


class IdleTrigger(QObject):
    """Emits ``idle`` once, after ``quiet_ms`` without input since :meth:`arm`.

    Every keyboard or mouse event while armed starts the wait again. :meth:`disarm` cancels.
    """

    idle = Signal()

    def __init__(self, quiet_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(quiet_ms)
        self._timer.timeout.connect(self._fire)
        self._filtering = False

    @property
    def armed(self) -> bool:
        return self._timer.isActive()

    def arm(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        self._timer.start()

    def disarm(self) -> None:
        self._timer.stop()
        self._remove_filter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in USER_INPUT_EVENTS and self._timer.isActive():
            self._timer.start()  # the user is busy: wait again
        return False

    def _fire(self) -> None:
        self._remove_filter()
        self.idle.emit()

    def _remove_filter(self) -> None:
        app = QApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
        self._filtering = False
