"""Application shell: the one error path, themes, remembered settings and layout, start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import qWarning
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from alstudio import logs
from alstudio.errors import AlstudioError
from alstudio.gui import error_path
from alstudio.gui.settings import AppSettings
from alstudio.gui.theme import current_theme

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_path(tmp_path: Path):
    """The rotating log under tmp_path, with Qt's messages routed into it; undone after."""
    path = error_path.setup_logging(tmp_path / "logs")
    previous = error_path.install_qt_message_handler()
    yield path
    error_path.qInstallMessageHandler(previous)
    logs.remove_logging()


def test_qt_messages_and_unhandled_exceptions_reach_the_log(log_path: Path, shown_errors):
    qWarning("a Qt warning for the log")
    error_path.show_reports()
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as exc:
        logs.excepthook(type(exc), exc, exc.__traceback__)
    text = log_path.read_text()
    assert "a Qt warning for the log" in text
    assert "unhandled exception" in text and "boom in a slot" in text
    assert "Traceback" in text
    [(_title, message, details)] = shown_errors
    assert "RuntimeError: boom in a slot" in message and "Traceback" in details
    shown_errors.clear()


def test_user_errors_show_their_message_and_keep_the_traceback_for_details(shown_errors):
    try:
        raise AlstudioError("The project file is read-only.", "Copy it somewhere writable.")
    except AlstudioError as exc:
        error_path.report_error(None, exc, "Cannot save")
    [(title, message, details)] = shown_errors
    assert title == "Cannot save"
    assert message == "The project file is read-only. Copy it somewhere writable."
    assert "Traceback" in details
    shown_errors.clear()


def test_dark_by_default_light_on_request_and_remembered(qtbot: QtBot, open_window) -> None:
    app = QApplication.instance()
    window = open_window()
    assert current_theme(app) == "dark"
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 60
    assert window.actions.dark_theme.isChecked()
    window.actions.light_theme.trigger()
    assert current_theme(app) == "light"
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert "QDockWidget" in app.styleSheet()
    assert AppSettings().theme() == "light"


def test_window_layout_is_remembered(qtbot: QtBot, open_window, demo_path: Path) -> None:
    window = open_window(demo_path)
    assert window.queue_dock.isVisible()
    window.queue_dock.toggleViewAction().trigger()
    assert not window.queue_dock.isVisible()
    window.close()
    again = open_window(demo_path)
    assert not again.queue_dock.isVisible()
    assert again.label_dock.isVisible()
    again.actions.reset_layout.trigger()
    assert again.queue_dock.isVisible()


def test_recent_projects_and_annotator_are_remembered(qtbot: QtBot, open_window,
                                                      demo_path: Path) -> None:
    window = open_window(demo_path, annotator="dr_recent")
    window.actions.close_project.trigger()
    assert window.stack.currentWidget() is window.start_page
    assert AppSettings().recent_projects() == [demo_path.resolve()]
    assert AppSettings().last_annotator() == "dr_recent"
    assert window.start_page.recent.count() == 1


def test_window_opens_without_loading_torch(tmp_path: Path, demo_path: Path) -> None:
    """Start-up imports no model stack: the window is up before torch would be loaded."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QTimer\n"
        "from alstudio.gui.app import configure_application, ensure_application\n"
        "app = ensure_application(); configure_application(app)\n"
        "from alstudio.gui.main_window import MainWindow\n"
        "w = MainWindow(annotator='dr_a'); w.show()\n"
        f"assert w.open_project(Path({str(demo_path)!r}))\n"
        "app.processEvents()\n"
        "assert 'torch' not in sys.modules, 'torch was imported at start-up'\n"
        "print('ok')\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_an_exception_in_another_thread_is_shown_on_the_gui_thread(qtbot: QtBot, log_path: Path,
                                                                   shown_errors) -> None:
    import threading

    undo = error_path.show_reports()
    try:
        def work() -> None:
            try:
                raise KeyError("lost in a thread")
            except KeyError as exc:
                logs.thread_excepthook(threading.ExceptHookArgs(
                    (type(exc), exc, exc.__traceback__, threading.current_thread())))

        thread = threading.Thread(target=work, name="background")
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)
    finally:
        undo()
    [(title, message, details)] = shown_errors
    assert title == "Unexpected error" and "lost in a thread" in message
    assert "Traceback" in details
    assert "unhandled exception in thread background" in log_path.read_text()
    shown_errors.clear()
