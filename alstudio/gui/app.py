"""Application start: the QApplication, its theme, the one error path, and the main window.

``alstudio`` (no verb) opens the start page; ``alstudio open PROJECT [--annotator NAME]`` opens
the window on a project. This module imports no engine code beyond the project file, so the
window appears before anything heavy (torch) is loaded.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from alstudio import __version__
from alstudio.errors import AlstudioError
from alstudio.gui import error_path
from alstudio.gui.file_open import open_files_from_os
from alstudio.gui.settings import APPLICATION, ORGANISATION, AppSettings, use_user_settings_folder
from alstudio.gui.theme import apply_theme
from alstudio.gui.worker import shutdown_workers
from alstudio.paths import resources_dir

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    try:
        return QIcon(str(resources_dir() / "icons" / "alstudio.svg"))
    except AlstudioError:
        return QIcon()


def configure_application(app: QApplication, settings: AppSettings | None = None) -> None:
    """Names, icon and theme; shared by :func:`run`, the tests and the screenshot script."""
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("alstudio")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    apply_theme(app, (settings or AppSettings()).theme())


def ensure_application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    return QApplication(sys.argv[:1])


def _close_on_signals(app: QApplication, window: QWidget) -> None:
    """Ctrl+C in the terminal (or a TERM) closes the window the normal way: the layout is
    saved and running jobs are cancelled. Qt's loop never returns to Python by itself, so a
    slow idle timer gives Python the chance to run its signal handlers."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: window.close())
    heartbeat = QTimer(app)
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(300)


def run(project: Path | None = None, annotator: str | None = None,
        startup_check: bool = False) -> int:
    """Open the window (on ``project`` if given) and run the event loop; returns the exit code.

    ``annotator`` skips the "who is labeling" question when a project opens;
    ``startup_check`` closes the window once it has been shown (see :mod:`startup_check`).
    """
    started = time.perf_counter()
    use_user_settings_folder()
    log_path = error_path.setup_logging()
    error_path.install_qt_message_handler()
    app = ensure_application()
    configure_application(app)
    error_path.install_excepthook()
    log.info("alstudio %s starting (log: %s)", __version__, log_path)

    from alstudio.gui.main_window import MainWindow  # after the app exists: widgets need it

    window = MainWindow(annotator=annotator)
    app.aboutToQuit.connect(lambda: shutdown_workers(10_000))
    _close_on_signals(app, window)
    open_files_from_os(app, window.lifecycle.open_project)
    if startup_check:
        from alstudio.gui.startup_check import close_after_first_show

        close_after_first_show(window, started)
    window.show()
    if project is not None:
        window.open_project(Path(project), annotator=annotator, wait=False)
    code = app.exec()
    log.info("alstudio exits with %d", code)
    return int(code)
