"""The project file's state in the window: why labeling is off, the background full check,
and File > Save a copy.

The quick check runs when the project opens; the full integrity check (which also compares
every index with its table) runs here in a background thread on its own read-only connection.
If it finds damage the session's connection refuses every write from then on, and a banner
says why and where the newest good backup is. A project on a read-only medium gets the same
banner at once.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from alstudio.errors import AlstudioError
from alstudio.project import Project
from alstudio.project.backups import copy_project, restore_hint
from alstudio.project.connection import ProjectDatabase
from alstudio.project.integrity import file_problem

log = logging.getLogger(__name__)


class FileBanner(QLabel):
    """A plain warning strip above the scan; hidden while the project takes labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileBanner")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#fileBanner { background: #8a6d1f; color: white; "
                           "padding: 6px 10px; font-weight: 600; }")
        self.hide()

    def show_reason(self, text: str) -> None:
        """Show ``text`` (why labeling is off)."""
        self.setText(text)
        self.show()


class FileGuard(QObject):
    """Watches one open project: read-only banner, background full check."""

    damaged = Signal(str)

    def __init__(self, banner: FileBanner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = banner
        self.project: Project | None = None
        self._thread: threading.Thread | None = None
        self.damaged.connect(self._on_damaged)

    def watch(self, project: Project) -> None:
        """Show the banner if the project is read-only; else start the full check."""
        self.wait()
        self.project = project
        self.banner.hide()
        reason = project.read_only_reason
        if reason is not None:
            self.banner.show_reason(f"Labeling is off: {reason}. You can look at every scan; "
                                    "to label, copy the project to a writable "
                                    "folder (File > Save a copy) and open the copy.")
            return
        path = project.path
        self._thread = threading.Thread(target=self._check, args=(path,), daemon=True,
                                        name="integrity-check")
        self._thread.start()

    def _check(self, path: Path) -> None:
        problem = file_problem(path, full=True)
        log.info("full integrity check of %s: %s", path, problem or "ok")
        if problem is not None:
            self.damaged.emit(problem)

    def _on_damaged(self, problem: str) -> None:
        project = self.project
        if project is None:
            return
        db = project.db
        assert isinstance(db, ProjectDatabase)  # every project connection is one
        db.refuse_writes(f"{project.path} failed its integrity check ({problem})",
                                 restore_hint(project.path))
        self.banner.show_reason(f"Labeling is off: this project file is damaged ({problem}). "
                                + restore_hint(project.path))

    def wait(self, timeout: float = 30.0) -> None:
        """Let a running check finish (before the project closes)."""
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def stop(self) -> None:
        """Forget the project (closing it)."""
        self.wait()
        self.project = None
        self.banner.hide()


def save_copy(parent: QWidget, source: Path) -> Path | None:
    """Ask where, then write a consistent copy through SQLite's backup API."""
    suggestion = str(source.with_name(source.stem + "-copy.alstudio"))
    target, _ = QFileDialog.getSaveFileName(parent, "Save a copy of the project", suggestion,
                                            "alstudio projects (*.alstudio)")
    if not target:
        return None
    try:
        copy_project(source, Path(target))
    except AlstudioError as exc:
        from alstudio.gui.error_path import report_error

        report_error(parent, exc, "Could not save a copy")
        return None
    return Path(target)
