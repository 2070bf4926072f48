"""The one error path, without Qt: the log file, the exception hooks and who hears of errors.

Everything that goes wrong ends up in one rotating log file in the user's log folder:

- :func:`setup_logging` attaches that file to the root logger, so every library that logs
  (pydicom, MONAI, Pillow, ours) writes there; warnings (``warnings.warn``) are captured into
  the same log.
- :func:`install_hooks` sets ``sys.excepthook`` and ``threading.excepthook``: an unhandled
  exception in any thread is logged with its traceback first, then :data:`notifications`
  tells its listeners.
- :func:`report` is what a job's failure handler calls: log with the traceback, then notify.

This module shows nothing. A front end *listens* (napari's ``utils/notifications.py`` is the
model): the window connects a dialog with :meth:`Notifications.connect`; with no listener
the log alone has the error. So the hooks run the same under the CLI, the tests and a
worker thread of the window.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from alstudio.errors import AlstudioError
from alstudio.paths import log_dir

log = logging.getLogger("alstudio")

LOG_NAME = "alstudio.log"
_HANDLER_FLAG = "_alstudio_file_handler"
_QUIET_FLAG = "_alstudio_console_quiet"
#: Loggers whose records belong in the log file only, never on a terminal.
FILE_ONLY_LOGGERS = ("alstudio.qt", "py.warnings")


@dataclass(frozen=True)
class ErrorReport:
    """One error as a listener receives it: what to show and what to keep."""

    title: str
    message: str  # what the user reads (see :func:`user_message`)
    details: str  # the traceback
    exception: BaseException
    thread: str  # the name of the thread it happened in


Listener = Callable[[ErrorReport], None]


class Notifications:
    """Who hears of errors. Listeners run in the thread the error happened in."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def connect(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; returns the function that removes it again."""
        with self._lock:
            self._listeners.append(listener)

        def disconnect() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return disconnect

    def emit(self, report: ErrorReport) -> None:
        """Tell every listener; a listener that fails is logged, never re-raised."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(report)
            except Exception:
                log.exception("an error listener failed")


#: The process's one error channel.
notifications = Notifications()


def _file_handler() -> RotatingFileHandler | None:
    """The log file's handler on the root logger, if attached."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, _HANDLER_FLAG, False) and isinstance(handler, RotatingFileHandler):
            return handler
    return None


def _file_only(record: logging.LogRecord) -> bool:
    """Console filter: Qt's messages, warnings and tracebacks go to the log file only."""
    if record.exc_info:
        return False
    return not any(record.name == n or record.name.startswith(n + ".")
                   for n in FILE_ONLY_LOGGERS)


def setup_logging(folder: Path | None = None, level: int = logging.INFO,
                  quiet_console: bool = True) -> Path:
    """Attach the rotating log file to the root logger once and capture warnings into it;
    returns its path. ``quiet_console`` keeps Qt's messages, warnings and tracebacks off any
    terminal handler (they are in the file)."""
    folder = Path(folder) if folder is not None else log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    handler = _file_handler()
    if handler is None:
        handler = RotatingFileHandler(folder / LOG_NAME, maxBytes=2_000_000, backupCount=5,
                                      encoding="utf-8")
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"))
        setattr(handler, _HANDLER_FLAG, True)
        root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    logging.captureWarnings(True)
    for other in root.handlers:  # keep the console as quiet as the CLI made it
        if other is handler:
            continue
        if other.level == logging.NOTSET:
            other.setLevel(logging.WARNING)
        if quiet_console and not getattr(other, _QUIET_FLAG, False):
            other.addFilter(_file_only)
            setattr(other, _QUIET_FLAG, True)
    return Path(handler.baseFilename)


def remove_logging() -> None:
    """Detach the log file and stop capturing warnings (tests undo :func:`setup_logging`)."""
    root = logging.getLogger()
    handler = _file_handler()
    if handler is not None:
        root.removeHandler(handler)
        handler.close()
    logging.captureWarnings(False)


def log_file() -> Path | None:
    """The log file in use, or ``None`` before :func:`setup_logging`."""
    handler = _file_handler()
    return Path(handler.baseFilename) if handler is not None else None


def format_details(exc: BaseException) -> str:
    """The traceback of ``exc``, as the log and a dialog's details show it."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def user_message(exc: BaseException) -> str:
    """What the user reads: our own errors say what to do; anything else is a bug report."""
    if isinstance(exc, AlstudioError):
        return str(exc)
    return (f"Something went wrong: {type(exc).__name__}: {exc}\n\nThe details below are also "
            "in the log file; please attach it when reporting the problem.")


def report(exc: BaseException, title: str = "alstudio") -> None:
    """Log ``exc`` with its traceback, then tell the listeners."""
    log.error("%s: %s", title, exc, exc_info=(type(exc), exc, exc.__traceback__))
    notifications.emit(ErrorReport(title, user_message(exc), format_details(exc), exc,
                                   threading.current_thread().name))


def excepthook(kind: type[BaseException], exc: BaseException,
               tb: TracebackType | None) -> None:
    """``sys.excepthook``: log an unhandled exception first, then tell the listeners."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log.critical("unhandled exception", exc_info=(kind, exc, tb))
    details = "".join(traceback.format_exception(kind, exc, tb))
    notifications.emit(ErrorReport("Unexpected error", user_message(exc), details, exc,
                                   threading.current_thread().name))


def thread_excepthook(args: threading.ExceptHookArgs) -> None:
    """``threading.excepthook``: the same for an exception that ends a Python thread."""
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    thread = args.thread.name if args.thread is not None else "?"
    log.critical("unhandled exception in thread %s", thread,
                 exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
    details = "".join(traceback.format_exception(args.exc_type, args.exc_value,
                                                 args.exc_traceback))
    notifications.emit(ErrorReport("Unexpected error", user_message(args.exc_value), details,
                                   args.exc_value, thread))


def install_hooks() -> None:
    """Route unhandled exceptions of every thread into the log and the listeners."""
    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
