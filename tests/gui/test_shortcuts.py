"""Every action is in a menu with its shortcut, keys never collide, F1 lists them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from alstudio.gui.dialogs.shortcut_sheet import ShortcutSheet, menu_shortcuts, sheet_html

#: What the viewer handles itself while it has focus (see its module docstring).
VIEWER_KEYS = {"F", "R", "I", "O", "+", "=", "-", "Up", "Down", "PgUp", "PgDown", "Home",
               "End", "Ctrl+0", "Ctrl+1"}


def _all_keys(window) -> list[tuple[str, str]]:
    return [(text, key.strip()) for _menu, rows in menu_shortcuts(window.menuBar())
            for text, keys in rows for key in keys.split(",")]


def test_no_two_actions_share_a_key_and_none_takes_a_scan_key(qtbot: QtBot, open_window,
                                                                 demo_path: Path) -> None:
    window = open_window(demo_path)
    keys = _all_keys(window)
    seen: dict[str, str] = {}
    for text, key in keys:
        assert key not in seen, f"{key} is used by both {seen[key]!r} and {text!r}"
        seen[key] = text
        assert key not in VIEWER_KEYS, f"{text!r} takes the viewer's key {key}"
    for expected in ("1", "2", "S", "U", "N", "P", "Ctrl+Z", "Ctrl+R", "F1", "Ctrl+I"):
        assert expected in seen


def test_every_window_action_is_in_a_menu(qtbot: QtBot, open_window, demo_path: Path) -> None:
    window = open_window(demo_path)
    in_menus = set()

    def walk(menu):
        for action in menu.actions():
            in_menus.add(action)
            if action.menu() is not None:
                walk(action.menu())

    for top in window.menuBar().actions():
        walk(top.menu())
    fixed = [v for v in vars(window.actions).values() if hasattr(v, "shortcuts")]
    missing = [a.text() for a in fixed if a not in in_menus]
    assert not missing


def test_the_sheet_lists_every_shortcut_and_the_scan_bindings(qtbot: QtBot, open_window,
                                                            demo_path: Path) -> None:
    window = open_window(demo_path)
    page = sheet_html(window.menuBar())
    for text, key in _all_keys(window):
        assert key in page and text.replace("&", "&amp;") in page
    assert "right-drag" in page and "PageDown" in page


def test_f1_opens_the_sheet(qtbot: QtBot, open_window, monkeypatch: pytest.MonkeyPatch):
    shown = []
    monkeypatch.setattr(ShortcutSheet, "present",
                        classmethod(lambda cls, bar, parent=None: shown.append(bar)))
    window = open_window()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert shown == [window.menuBar()]


def test_the_sheet_dialog_renders(qtbot: QtBot, open_window) -> None:
    window = open_window()
    sheet = ShortcutSheet(window.menuBar(), window)
    qtbot.addWidget(sheet)
    text = sheet.browser.toPlainText()
    assert "Keyboard shortcuts" in text
    assert QKeySequence("Ctrl+O").toString(QKeySequence.SequenceFormat.NativeText) in text
