"""Hermetic GUI tests: settings, logs and the demo live in tmp folders; every error dialog
is recorded instead of shown; a test that leaves a thread running fails."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from alstudio.gui import error_path, worker
from alstudio.gui.app import configure_application
from alstudio.gui.main_window import MainWindow
from alstudio.gui.settings import AppSettings

THREAD_GRACE_MS = 2000


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> None:
    """QSettings, the log folder and the user data folder (demo) under tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    configure_application(qapp, AppSettings())


@pytest.fixture(autouse=True)
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, str]]]:
    """Every error the app would show, as (title, message, details); a test that expects
    errors takes this fixture and empties it once it has checked them."""
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(error_path.ErrorDialog, "present",
                        classmethod(lambda cls, parent, title, message, details:
                                    shown.append((title, message, details))))
    yield shown
    assert not shown, f"unexpected error dialog(s): {shown}"


@pytest.fixture(autouse=True)
def _dangling_qthreads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if a QThread it started is still running at its end."""
    started: weakref.WeakSet[QThread] = weakref.WeakSet()
    base_start = QThread.start

    def start(self: QThread, *args: object) -> None:
        started.add(self)
        base_start(self, *args)

    monkeypatch.setattr(QThread, "start", start)
    yield
    running = [t for t in started if t.isRunning() and not t.wait(THREAD_GRACE_MS)]
    leaked = worker.live_workers()
    for job in leaked:  # stop them so the next test starts clean, then fail this one
        job.cancel()
        job.wait(10_000)
    if running or leaked:
        names = [t.objectName() or repr(t) for t in running] + [w.name for w in leaked]
        pytest.fail(f"test left thread(s) running: {names}")


@pytest.fixture
def open_window(qtbot: QtBot) -> Callable[..., MainWindow]:
    """Make a shown, active main window, on a project (its first scan on screen) if given."""

    def make(project: Path | None = None, annotator: str = "dr_test") -> MainWindow:
        window = MainWindow(annotator=annotator)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        if project is not None:
            with qtbot.waitSignal(window.labeling.item_shown, timeout=10_000):
                assert window.open_project(project)
        return window

    return make
