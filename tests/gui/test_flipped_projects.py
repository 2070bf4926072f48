"""Damaged copies of a real project in the window: opened, or refused with a message; never
the crash dialog."""

from __future__ import annotations

import random
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.project.test_flipped_bytes import flip

COPIES = 20


def test_flipped_copies_open_or_are_refused_with_a_message(
        qtbot: QtBot, open_window, demo_path: Path, tmp_path: Path, shown_errors) -> None:
    window = open_window()
    rng = random.Random(29)
    original = demo_path.read_bytes()
    opened = refused = 0
    for n in range(COPIES):
        copy = tmp_path / f"flipped{n}.alstudio"
        copy.write_bytes(flip(original, rng))
        if window.open_project(copy):
            opened += 1
            window.close_project()
        else:
            refused += 1
    titles = {title for title, _message, _details in shown_errors}
    assert titles <= {"Cannot open the project"}, shown_errors
    assert len(shown_errors) == refused
    shown_errors.clear()
    assert opened + refused == COPIES
