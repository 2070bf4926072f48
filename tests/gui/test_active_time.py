"""Active time: counts while the item is shown and the user is there, not while idle."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from alstudio.gui.active_time import ActiveTimer


def test_idle_time_is_not_counted(qtbot: QtBot) -> None:
    timer = ActiveTimer(QApplication.instance(), idle_after_s=0.2)
    widget = QWidget()
    qtbot.addWidget(widget)
    try:
        timer.restart()
        assert timer.counting and timer.started_at.endswith("Z")
        qtbot.waitUntil(lambda: not timer.counting, timeout=3000)
        idle_counted = timer.seconds()
        assert 0.15 <= idle_counted <= 0.35  # up to the idle threshold, not beyond
        qtbot.wait(150)
        assert timer.seconds() == idle_counted
        qtbot.keyClick(widget, Qt.Key.Key_A)  # the user is back
        assert timer.counting
        qtbot.waitUntil(lambda: timer.seconds() > idle_counted + 0.05, timeout=2000)
        timer.stop()
        stopped = timer.seconds()
        qtbot.wait(100)
        assert timer.seconds() == stopped
    finally:
        timer.detach()


def test_inactive_application_pauses_the_clock(qtbot: QtBot) -> None:
    timer = ActiveTimer(QApplication.instance())
    try:
        timer.restart()
        timer._state_changed(Qt.ApplicationState.ApplicationInactive)
        assert not timer.counting
        paused = timer.seconds()
        qtbot.wait(60)
        assert timer.seconds() == paused
        timer._state_changed(Qt.ApplicationState.ApplicationActive)
        assert timer.counting
    finally:
        timer.detach()
