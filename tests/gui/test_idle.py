"""The one-off model-stack load waits for the user to pause."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from alstudio.gui.idle import IdleTrigger


def test_fires_once_after_a_quiet_stretch(qtbot: QtBot):
    trigger = IdleTrigger(100)
    fired: list[float] = []
    trigger.idle.connect(lambda: fired.append(time.monotonic()))
    start = time.monotonic()
    trigger.arm()
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)
    assert fired[0] - start >= 0.09
    qtbot.wait(300)
    assert len(fired) == 1 and not trigger.armed


def test_typing_postpones_it_and_disarm_cancels_it(qtbot: QtBot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    trigger = IdleTrigger(150)
    fired: list[bool] = []
    trigger.idle.connect(lambda: fired.append(True))
    trigger.arm()
    for _ in range(8):  # 8 x 60 ms of typing: never 150 ms quiet
        QTest.keyClick(widget, Qt.Key.Key_1)
        qtbot.wait(60)
        assert not fired
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)

    trigger.arm()
    trigger.disarm()
    qtbot.wait(300)
    assert fired == [True]
