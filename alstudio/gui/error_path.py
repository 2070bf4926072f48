"""One error path for the whole app: everything goes to a rotating log, the user sees a dialog.

- :func:`setup_logging` writes ``alstudio.log`` (rotating) in the user's log folder.
- :func:`qt_message_handler` routes Qt's own warnings into the same log, so a missing plugin
  or a bad style sheet line is recorded next to our messages instead of lost on stderr.
- :func:`install_excepthook` logs any unhandled exception first, then shows it.
- :func:`report_error` is what a panel or a worker's failure handler calls: it logs with the
  traceback and shows :class:`ErrorDialog` (the message; the traceback under "details").
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QThread, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from alstudio.errors import AlstudioError
from alstudio.paths import log_dir

log = logging.getLogger("alstudio.gui")
qt_log = logging.getLogger("alstudio.qt")

LOG_NAME = "alstudio.log"
_HANDLER_FLAG = "_alstudio_file_handler"


def setup_logging(folder: Path | None = None, level: int = logging.INFO) -> Path:
    """Attach the rotating log file to the root logger once; returns its path."""
    folder = Path(folder) if folder is not None else log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, _HANDLER_FLAG, False):
            return Path(handler.baseFilename)  # type: ignore[attr-defined]
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"))
    setattr(handler, _HANDLER_FLAG, True)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    for other in root.handlers:  # keep the console as quiet as the CLI made it
        if other is not handler and other.level == logging.NOTSET:
            other.setLevel(logging.WARNING)
    return path


def log_file() -> Path | None:
    for handler in logging.getLogger().handlers:
        if getattr(handler, _HANDLER_FLAG, False):
            return Path(handler.baseFilename)  # type: ignore[attr-defined]
    return None


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s%s", message, where)


def install_qt_message_handler() -> object:
    """Route Qt's messages into the log; returns the previous handler (tests restore it)."""
    return qInstallMessageHandler(qt_message_handler)


def format_details(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def user_message(exc: BaseException) -> str:
    """What the user reads: our own errors say what to do; anything else is a bug report."""
    if isinstance(exc, AlstudioError):
        return str(exc)
    return (f"Something went wrong: {type(exc).__name__}: {exc}\n\nThe details below are also "
            "in the log file; please attach it when reporting the problem.")


class ErrorDialog(QMessageBox):
    """A message with the traceback and the log file's path under "Show Details"."""

    def __init__(self, parent: QWidget | None, title: str, message: str, details: str) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(title)
        self.setText(message)
        path = log_file()
        tail = f"\n\nLog file: {path}" if path else ""
        if details or tail:
            self.setDetailedText(details + tail)
        self.setStandardButtons(QMessageBox.StandardButton.Close)

    @classmethod
    def present(cls, parent: QWidget | None, title: str, message: str, details: str) -> None:
        """Show modally; tests replace this one call to record errors instead."""
        cls(parent, title, message, details).exec()


def report_error(parent: QWidget | None, exc: BaseException, title: str = "alstudio") -> None:
    """Log ``exc`` with its traceback, then show it. Safe to call from the GUI thread only."""
    log.error("%s: %s", title, exc, exc_info=(type(exc), exc, exc.__traceback__))
    try:
        ErrorDialog.present(parent, title, user_message(exc), format_details(exc))
    except Exception:  # the dialog itself failed: the log already has the error
        log.exception("could not show the error dialog")


def _excepthook(kind: type[BaseException], exc: BaseException,
                tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log.critical("unhandled exception", exc_info=(kind, exc, tb))
    app = QApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return  # no GUI to show it in, or not on the GUI thread: the log has it
    try:
        ErrorDialog.present(app.activeWindow(), "Unexpected error", user_message(exc),
                            "".join(traceback.format_exception(kind, exc, tb)))
    except Exception:
        log.exception("could not show the error dialog")


def install_excepthook() -> None:
    sys.excepthook = _excepthook
