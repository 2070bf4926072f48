"""Opening a project in the background: the file's check, its backup and the session's read
run off the window's thread; the window shows a quiet opening state meanwhile; an opening
overtaken by closing or by another opening leaves no stale session."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from alstudio.gui import project_opening
from alstudio.gui.main_window import MainWindow
from alstudio.project import Project, connection
from alstudio.project.backups import backups
from alstudio.project.session import LabelingSession
from alstudio.workflow.importer import import_paths


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A real project of 12 synthetic images, never opened (so its open backup is due)."""
    archive = tmp_path / "pool.npz"
    rng = np.random.default_rng(0)
    np.savez(archive, train_images=rng.integers(0, 255, (12, 28, 28), dtype=np.uint8),
             train_labels=(np.arange(12) % 2).astype(np.uint8))
    path = tmp_path / "small.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        import_paths(project, [archive])
    return path


def _window(qtbot: QtBot) -> MainWindow:
    window = MainWindow(annotator="dr_open")
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    return window


def _held(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    """Hold the session's background read until the event is set; record its thread."""
    go, threads = threading.Event(), []
    real: Callable[..., LabelingSession] = project_opening.load_session

    def held(*args: object, **kwargs: object) -> LabelingSession:
        threads.append(threading.current_thread().name)
        assert go.wait(20), "the test never let the read go on"
        return real(*args, **kwargs)

    monkeypatch.setattr(project_opening, "load_session", held)
    return go, threads


def test_opening_runs_off_the_window_thread_and_shows_its_state(
        qtbot: QtBot, small_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backed_up: list[str] = []
    real_backup = connection.make_backup

    def backup(*args: object, **kwargs: object) -> Path | None:
        backed_up.append(threading.current_thread().name)
        return real_backup(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(connection, "make_backup", backup)
    read_on: list[str] = []
    real_reload = LabelingSession.reload_queue

    def reload_queue(self: LabelingSession) -> None:
        read_on.append(threading.current_thread().name)
        real_reload(self)

    monkeypatch.setattr(LabelingSession, "reload_queue", reload_queue)
    go, held_on = _held(monkeypatch)
    window = _window(qtbot)
    assert window.open_project(small_project, wait=False)
    opener = window.lifecycle.opener
    qtbot.waitUntil(lambda: opener.stage == "loading")
    # the window is calm while the session is read: its name, no panel, no labeling action
    assert window.stack.currentWidget() is window.opening_page
    assert window.opening_page.title.text() == "Opening small…"
    assert window.session is None
    assert not any(a.isEnabled() for a in window.actions.project_actions())
    go.set()
    assert window.lifecycle.wait_opened()
    assert window.session is not None and window.session.queue_length() == 12
    assert window.stack.currentWidget() is window.viewer_page
    assert window.actions.export.isEnabled()
    main = threading.main_thread().name
    assert backed_up and main not in backed_up  # the rolling backup at open ...
    assert read_on and main not in read_on  # ... and the session's read: in the background
    assert held_on and held_on[0] != main
    assert len(backups(small_project)) == 1
    # the session works on the window's own connection, which takes labels
    window.session.core.give(window.session.queue_ids()[0], "dr_open", "normal")
    assert window.session.labeled_items() == 1
    window.close_project()


def test_closing_while_the_session_is_read_leaves_no_session(
        qtbot: QtBot, small_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    go, _ = _held(monkeypatch)
    window = _window(qtbot)
    window.open_project(small_project, wait=False)
    opener = window.lifecycle.opener
    qtbot.waitUntil(lambda: opener.stage == "loading")
    window.close_project()
    assert window.stack.currentWidget() is window.start_page
    go.set()
    assert not window.lifecycle.wait_opened()  # the late read is dropped
    assert window.session is None
    assert window.stack.currentWidget() is window.start_page
    assert window.windowTitle() == "alstudio"


def test_a_second_opening_overtakes_the_first(qtbot: QtBot, small_project: Path,
                                              demo_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    go, _ = _held(monkeypatch)
    window = _window(qtbot)
    window.open_project(small_project, wait=False)
    opener = window.lifecycle.opener
    qtbot.waitUntil(lambda: opener.stage == "loading")
    window.open_project(demo_path, wait=False)  # the first one's read is still held
    go.set()
    assert window.lifecycle.wait_opened()
    assert window.session is not None and window.session.path == demo_path
    window.close_project()


def test_a_refused_file_while_nothing_is_open_returns_to_the_start_page(
        qtbot: QtBot, tmp_path: Path, shown_errors: list[tuple[str, str, str]]) -> None:
    bad = tmp_path / "bad.alstudio"
    bad.write_bytes(b"not a database at all" * 10)
    window = _window(qtbot)
    assert not window.open_project(bad)
    assert window.session is None
    assert window.stack.currentWidget() is window.start_page
    assert [title for title, _, _ in shown_errors] == ["Cannot open the project"]
    assert "not a readable alstudio project" in shown_errors[0][1]
    shown_errors.clear()
