"""`alstudio gui --startup-check`: open the window, say when it is first shown, and quit.

Installers' smoke tests and IT use it to prove that an installed app starts (Qt plugins found,
style sheet and icon loaded, settings folder writable) without anyone closing a window by
hand; the caller times the process up to the printed line to get the cold start-up time.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

SHOWN_LINE = "alstudio: main window shown"


class _FirstShow(QObject):
    """Event filter: on the window's first Show event, print the line and close the window."""

    def __init__(self, window: QWidget, started: float) -> None:
        super().__init__(window)
        self._window = window
        self._started = started
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show and not self._done:
            self._done = True
            seconds = time.perf_counter() - self._started
            if sys.stdout is not None:  # a windowed build on Windows has no console
                print(f"{SHOWN_LINE} ({seconds:.2f} s after the event loop setup began)",
                      flush=True)
            QTimer.singleShot(0, self._window.close)
        return False


def close_after_first_show(window: QWidget, started: float) -> None:
    """Arm the check on ``window`` before it is shown; ``started`` is a perf_counter time."""
    window.installEventFilter(_FirstShow(window, started))
