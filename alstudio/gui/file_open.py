"""Projects opened by the operating system: a double-click in the macOS Finder.

Windows and Linux start the program with the file's path as its argument (`alstudio
PATH.alstudio`, handled by the command line); macOS instead sends the running app a
``QFileOpenEvent``, at launch and later, which this filter turns into ``open_project``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent


class FileOpenFilter(QObject):
    """Application-wide event filter calling ``open_project(path)`` for each file-open event."""

    def __init__(self, open_project: Callable[[Path], object], parent: QObject) -> None:
        super().__init__(parent)
        self._open_project = open_project

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file()
            if path:
                self._open_project(Path(path))
                return True
        return False


def open_files_from_os(app: QObject, open_project: Callable[[Path], object]) -> FileOpenFilter:
    """Install the filter on the application; returns it (it lives as long as ``app``)."""
    flt = FileOpenFilter(open_project, app)
    app.installEventFilter(flt)
    return flt
