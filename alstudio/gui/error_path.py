"""The window's side of the one error path: show what :mod:`alstudio.logs` reports.

The log file, the exception hooks of every thread and the capture of warnings are installed
by :mod:`alstudio.logs`, which imports no Qt. This module only adds what needs Qt:

- :func:`install_qt_message_handler` routes Qt's own messages into the same log (a missing
  plugin or a bad style sheet line is recorded next to our messages, never printed on the
  terminal).
- :func:`show_reports` connects a listener that shows each reported error in an
  :class:`ErrorDialog` (the message; the traceback and the log's path under "details"),
  brought to the GUI thread when the error happened in another.
- :func:`report_error` is what a panel or a worker's failure handler calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QThread,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from alstudio import logs
from alstudio.logs import ErrorReport, format_details, log_file, setup_logging, user_message

__all__ = ["ErrorDialog", "format_details", "install_excepthook", "install_qt_message_handler",
           "log_file", "qInstallMessageHandler", "qt_message_handler", "report_error",
           "setup_logging", "show_reports", "user_message"]

log = logging.getLogger("alstudio.gui")
qt_log = logging.getLogger("alstudio.qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's message handler: one log record per Qt message, at the matching level."""
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s%s", message, where)


def install_qt_message_handler() -> object:
    """Route Qt's messages into the log; returns the previous handler (tests restore it)."""
    return qInstallMessageHandler(qt_message_handler)


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


class _Presenter(QObject):
    """The listener: shows a report on the GUI thread, queued there from any other."""

    queued = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.parent_hint: QWidget | None = None
        self.queued.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def listen(self, report: ErrorReport) -> None:
        """Called by :data:`alstudio.logs.notifications` in the thread of the error."""
        if QThread.currentThread() is self.thread():
            self._show(report)
        else:
            self.queued.emit(report)

    def _show(self, report: ErrorReport) -> None:
        """Present the dialog; if even that fails, the log already has the error."""
        app = QApplication.instance()
        parent = self.parent_hint
        if parent is None and isinstance(app, QApplication):
            parent = app.activeWindow()
        try:
            ErrorDialog.present(parent, report.title, report.message, report.details)
        except Exception:
            log.exception("could not show the error dialog")


_presenter: _Presenter | None = None
_disconnect: Callable[[], None] | None = None


def show_reports() -> Callable[[], None]:
    """Show every reported error in a dialog (once per process); returns the undo."""
    global _presenter, _disconnect
    if _presenter is None:
        _presenter = _Presenter()
    if _disconnect is None:
        undo = logs.notifications.connect(_presenter.listen)

        def disconnect() -> None:
            global _disconnect
            undo()
            _disconnect = None

        _disconnect = disconnect
    return _disconnect


def report_error(parent: QWidget | None, exc: BaseException, title: str = "alstudio") -> None:
    """Log ``exc`` with its traceback, then show it over ``parent``. GUI thread only."""
    show_reports()
    assert _presenter is not None
    _presenter.parent_hint = parent
    try:
        logs.report(exc, title)
    finally:
        _presenter.parent_hint = None


def install_excepthook() -> None:
    """Install the Qt-free hooks of every thread and show what they report."""
    logs.install_hooks()
    show_reports()
