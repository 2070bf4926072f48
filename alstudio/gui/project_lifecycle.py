"""A project's life in the window: choose or create it, open it, show it, close it.

Opening checks the file first (a refused or damaged file is reported, never half shown), asks
who is labeling and reads the session, both in the background
(:mod:`~alstudio.gui.project_opening`), then hands the one
:class:`~alstudio.gui.session.ProjectSession` to every panel; closing takes it back from
each and returns to the start page. Import and export are here too: both act on the open
project's file.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from alstudio.gui import projects
from alstudio.gui.dialogs.export_dialog import ExportDialog
from alstudio.gui.dialogs.import_dialog import ImportDialog
from alstudio.gui.error_path import report_error
from alstudio.gui.file_guard import save_copy
from alstudio.gui.heap import settle_heap
from alstudio.gui.project_opening import TITLE, ProjectOpener, damaged
from alstudio.gui.session import ProjectSession
from alstudio.gui.worker import shutdown_workers
from alstudio.project import Project
from alstudio.project.session import LabelingSession

if TYPE_CHECKING:
    from alstudio.gui.main_window import MainWindow

log = logging.getLogger(__name__)


class ProjectLifecycle:
    """Opens and closes the window's project; the window's ``session`` is set only here."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        a = window.actions
        a.new_project.triggered.connect(self.new_project)
        a.open_project.triggered.connect(self.choose_project)
        a.open_demo.triggered.connect(self.open_demo)
        a.import_scans.triggered.connect(self.import_scans)
        a.export.triggered.connect(self.export)
        a.close_project.triggered.connect(self.close_project)
        a.save_copy.triggered.connect(self.save_copy)
        window.start_page.open_requested.connect(self.open_project)
        window.menus.recent.aboutToShow.connect(self.fill_recent)
        self.opener = ProjectOpener(window, self._show_project, self._close_session)

    # -- choosing ---------------------------------------------------------------------------
    def fill_recent(self) -> None:
        """File > Recent projects, read from the settings each time it opens."""
        recent = self.window.menus.recent
        recent.clear()
        for path in self.window.settings.recent_projects():
            action = recent.addAction(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.open_project(p))
        recent.setEnabled(bool(self.window.settings.recent_projects()))

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", "",
                                              "alstudio projects (*.alstudio)")
        if path:
            self.open_project(Path(path))

    def new_project(self) -> None:
        path = projects.create_project(self.window, self.window.settings)
        if path is not None:
            self.open_project(path)

    def open_demo(self) -> None:
        projects.open_demo(self.window, self.open_project)

    # -- opening and closing ----------------------------------------------------------------
    def open_project(self, path: Path, annotator: str | None = None) -> None:
        """Begin opening ``path`` in the background (see :mod:`~alstudio.gui.project_opening`);
        asks who is labeling unless given (or given on the command line)."""
        self.opener.start(Path(path), annotator)

    def wait_opened(self) -> bool:
        """Let the opening under way finish; True when a project is shown afterwards."""
        self.opener.wait()
        return self.window.session is not None

    def _show_project(self, project: Project, core: LabelingSession) -> bool:
        """Show a loaded project; damage the panels' reads find refuses the file instead."""
        try:
            self._present(project, core)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            # damage past what the quick check at open reads: refuse the file, never crash
            self._close_session()
            project.close()
            report_error(self.window, damaged(project.path, exc), TITLE)
            return False
        log.info("opened %s as %s", project.path, core.reader)
        return True

    def _present(self, project: Project, core: LabelingSession) -> None:
        """Show an open project to its reader: session, panels, actions, window state."""
        w = self.window
        session = w.session = ProjectSession(project, core.reader, w, core=core)
        w.settings.add_recent_project(project.path)
        w.settings.set_last_annotator(core.reader)
        session.labels_changed.connect(w.refresh_status)
        session.queue_changed.connect(w.refresh_status)
        w.queue_panel.set_session(session)
        w.progress_panel.set_session(session)
        w.labeling.set_session(session)
        w.file_guard.watch(project)
        w.stack.setCurrentIndex(1)
        w.docks.show_project(w.settings.window_state())
        w.setWindowTitle(f"{session.name} — alstudio")
        w.refresh_status()
        w.update_actions()
        w.viewer.setFocus()
        w.round_controls.project_shown()
        w.project_opened.emit(project.path)
        settle_heap("opening a project")

    def close_project(self) -> None:
        """Close the shown project, or drop the opening under way (no late session)."""
        opening = self.opener.stage is not None
        self.opener.abandon()
        if self.window.session is not None:
            self._close_session()
            self.show_start_page()
        elif opening:
            self.show_start_page()

    def _close_session(self) -> None:
        """Take the shown project back from every panel and close it."""
        w = self.window
        if w.session is None:
            return
        if w.rounds.running:
            w.rounds.cancel()
            shutdown_workers(30_000)
        w.settings.save_window(w.saveGeometry(), w.saveState())
        session, w.session = w.session, None
        w.file_guard.stop()
        w.labeling.set_session(None)
        w.queue_panel.set_session(None)
        w.progress_panel.set_session(None)
        session.close()
        session.deleteLater()

    def show_opening(self, name: str, path: str) -> None:
        """A project is opening: its name on a quiet page, no panel, no project action."""
        w = self.window
        w.opening_page.show_opening(name, path)
        w.stack.setCurrentWidget(w.opening_page)
        w.docks.hide_all()
        w.setWindowTitle(f"Opening {name} — alstudio")
        w.update_actions()

    def show_start_page(self) -> None:
        """No project: the start page with the recent projects, no panels."""
        w = self.window
        w.status.clearMessage()
        w.start_page.set_recent(w.settings.recent_projects())
        w.stack.setCurrentWidget(w.start_page)
        w.docks.hide_all()
        w.setWindowTitle("alstudio")
        w.status.show_project(None, None, 0, None)
        w.update_actions()

    # -- the open project's file ------------------------------------------------------------
    def import_scans(self) -> None:
        session = self.window.session
        if session is None:
            return
        report = ImportDialog.run(self.window, session.path)
        if report is not None and report.imported:
            session.reload_queue()
            self.window.pretraining.after_import()

    def export(self) -> None:
        if self.window.session is not None:
            ExportDialog.run(self.window, self.window.session.path)

    def save_copy(self) -> None:
        if self.window.session is not None:
            save_copy(self.window, self.window.session.path)
