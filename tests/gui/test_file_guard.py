"""Read-only and damaged projects in the window: a banner says why labeling is off, key
presses write nothing, and nothing crashes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alstudio.project import connection
from tests.project.test_file_faults import _index_out_of_step


def events(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM label_events").fetchone()[0])


def test_read_only_project_opens_with_a_banner_and_refuses_labels(
        qtbot: QtBot, open_window, demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the medium's permissions, as a non-root user on a read-only folder would see them
    monkeypatch.setattr(connection, "folder_writable", lambda path: False)
    window = open_window(demo_path)
    banner = window.file_guard.banner
    assert banner.isVisible() and "Labeling is off" in banner.text()
    assert "read-only" in banner.text()
    messages: list[str] = []
    window.labeling.message.connect(messages.append)
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert messages and "Nothing was written" in messages[-1]
    assert events(demo_path) == 0


def test_background_full_check_turns_labeling_off_on_a_damaged_file(
        qtbot: QtBot, open_window, demo_path: Path) -> None:
    _index_out_of_step(demo_path)  # passes the quick check at open, fails the full one
    window = open_window(demo_path)
    banner = window.file_guard.banner
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "damaged" in banner.text()
    messages: list[str] = []
    window.labeling.message.connect(messages.append)
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert messages and "integrity check" in messages[-1]
    window.close_project()
    assert events(demo_path) == 0


def test_save_a_copy_holds_the_labels_given_so_far(
        qtbot: QtBot, open_window, demo_path: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from alstudio.gui import file_guard

    window = open_window(demo_path)
    with qtbot.waitSignal(window.labeling.item_shown, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_1)
    target = tmp_path / "copy.alstudio"
    monkeypatch.setattr(file_guard.QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(target), ""))
    window.actions.save_copy.trigger()
    assert events(target) == 1
