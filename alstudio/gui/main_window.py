"""The main window: wiring only. Each panel, dialog and job lives in its own module; this one
creates them, connects actions to them, and switches between the start page and a project.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import cast

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from alstudio import __version__
from alstudio.build_info import version_line
from alstudio.errors import AlstudioError, DamagedProjectError
from alstudio.gui import projects
from alstudio.gui.actions import Actions, class_actions
from alstudio.gui.active_time import ActiveTimer
from alstudio.gui.dialogs.export_dialog import ExportDialog
from alstudio.gui.dialogs.import_dialog import ImportDialog
from alstudio.gui.dialogs.round_dialog import RoundDialog
from alstudio.gui.dialogs.shortcut_sheet import ShortcutSheet
from alstudio.gui.error_path import log_file, report_error
from alstudio.gui.file_guard import FileBanner, FileGuard, save_copy
from alstudio.gui.heap import settle_heap
from alstudio.gui.idle import IdleTrigger
from alstudio.gui.labeling import LabelingController
from alstudio.gui.menus import Menus
from alstudio.gui.panels.label_panel import LabelPanel
from alstudio.gui.panels.progress_panel import ProgressPanel
from alstudio.gui.panels.queue_panel import QueuePanel
from alstudio.gui.panels.start_page import StartPage
from alstudio.gui.panels.status_bar import StatusBar
from alstudio.gui.pretraining import PoolPretraining
from alstudio.gui.reader_tools import ReaderTools
from alstudio.gui.rounds import RoundRunner, device_job, engine_available
from alstudio.gui.session import ProjectSession
from alstudio.gui.settings import AppSettings
from alstudio.gui.theme import apply_theme, current_theme
from alstudio.gui.viewer import ImagePrefetcher, ScanViewer, build_preset_menu
from alstudio.gui.viewer_page import ViewerPage
from alstudio.gui.worker import Worker, shutdown_workers
from alstudio.paths import log_dir
from alstudio.project import Project
from alstudio.workflow.config import RoundConfig

log = logging.getLogger(__name__)
DEVICE_PROBE_QUIET_MS = 1500  # input-free wait before loading the model stack
NO_ENGINE_TIP = "The round engine (alstudio.workflow) is not installed in this build."


def _application() -> QApplication:
    """The running QApplication (the window exists only inside one)."""
    return cast(QApplication, QApplication.instance())


class MainWindow(QMainWindow):
    """``project_opened(path)`` is for listeners."""

    project_opened = Signal(Path)
    #: The window's commands. The name hides QWidget.actions(), which the window never uses.
    actions: Actions  # type: ignore[assignment]

    def __init__(self, annotator: str | None = None, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("alstudioMainWindow")
        self.setWindowTitle("alstudio")
        self.settings = settings or AppSettings()
        self.fixed_annotator = annotator
        self.session: ProjectSession | None = None
        self.round_request = RoundConfig()
        self._device_asked = False
        self.actions = Actions(self)

        self.viewer = ScanViewer()
        self.prefetcher = ImagePrefetcher(self)
        self.start_page = StartPage(self.actions)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_page)
        self.viewer_page = ViewerPage(self.viewer)
        self.file_guard = FileGuard(FileBanner(), self)
        page_layout = self.viewer_page.layout()
        assert isinstance(page_layout, QVBoxLayout)  # ViewerPage is one column
        page_layout.insertWidget(0, self.file_guard.banner)
        self.stack.addWidget(self.viewer_page)
        self.setCentralWidget(self.stack)

        self.queue_panel = QueuePanel()
        self.label_panel = LabelPanel(self.actions)
        self.queue_dock = self._dock("Queue", "queueDock", self.queue_panel,
                                     Qt.DockWidgetArea.LeftDockWidgetArea, "F6")
        self.label_dock = self._dock("Label", "labelDock", self.label_panel,
                                     Qt.DockWidgetArea.RightDockWidgetArea, "F7")
        self.progress_panel = ProgressPanel()
        self.progress_dock = self._dock("Progress", "progressDock", self.progress_panel,
                                        Qt.DockWidgetArea.LeftDockWidgetArea, "F8")
        self.tabifyDockWidget(self.queue_dock, self.progress_dock)  # F8 shows it on top
        self.progress_dock.toggleViewAction().triggered.connect(self._raise_progress)
        self.progress_dock.hide()
        self.resizeDocks([self.queue_dock, self.label_dock], [430, 330],
                         Qt.Orientation.Horizontal)
        self._default_state = self.saveState()
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.menus = Menus(self.menuBar(), self.actions,
                           [self.queue_dock, self.label_dock, self.progress_dock])
        self.menus.window_menu.aboutToShow.connect(self._fill_window_menu)
        self._preset_menu: QMenu | None = None

        self.timer = ActiveTimer(_application(), parent=self)
        self.labeling = LabelingController(self.viewer, self.prefetcher, self.label_panel,
                                           self.queue_panel, self.timer,
                                           self.settings.blind_mode(), self)
        self.labeling.message.connect(lambda text: self.status.showMessage(text, 8000))
        self.rounds = RoundRunner(self)
        self.reader_tools = ReaderTools(self, self.actions)
        self.pretraining = PoolPretraining(self, self.actions)
        # the device probe loads torch: it waits until the window is up and the user pauses
        self._device_idle = IdleTrigger(DEVICE_PROBE_QUIET_MS, self)
        self._device_idle.idle.connect(self._ask_device)
        self._class_actions: list = []
        self._connect()
        self._restore_layout()
        self._show_start_page()

    # -- construction -----------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea,
              key: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        dock.toggleViewAction().setShortcut(key)
        dock.toggleViewAction().setText(f"{title} panel")
        self.addDockWidget(area, dock)
        dock.setMinimumWidth(300 if name == "labelDock" else 340)
        return dock

    def _connect(self) -> None:
        a, lab = self.actions, self.labeling
        a.new_project.triggered.connect(self.new_project)
        a.open_project.triggered.connect(self.choose_project)
        a.open_demo.triggered.connect(self.open_demo)
        a.import_scans.triggered.connect(self.import_scans)
        a.export.triggered.connect(self.export)
        a.close_project.triggered.connect(self.close_project)
        a.save_copy.triggered.connect(lambda: self.session and save_copy(self,
                                                                        self.session.path))
        a.quit.triggered.connect(self.close)
        a.skip.triggered.connect(lambda: lab.give("skip"))
        a.unsure.triggered.connect(lambda: lab.give("unsure"))
        a.undo.triggered.connect(lab.undo)
        a.adjudicate.triggered.connect(lambda: lab.adjudicate())
        a.disagreements.triggered.connect(self._show_disagreements)
        a.edit_note.triggered.connect(self._focus_note)
        a.blind.setChecked(lab.blind)
        a.blind.toggled.connect(self._blind_toggled)
        a.next_item.triggered.connect(lambda: lab.step(1))
        a.previous_item.triggered.connect(lambda: lab.step(-1))
        a.next_unlabeled.triggered.connect(lab.next_unlabeled)
        a.jump.triggered.connect(self._focus_jump)
        a.run_round.triggered.connect(self.run_round)
        a.cancel_round.triggered.connect(self.rounds.cancel)
        a.dark_theme.triggered.connect(lambda: self.set_theme("dark"))
        a.light_theme.triggered.connect(lambda: self.set_theme("light"))
        a.reset_layout.triggered.connect(self.reset_layout)
        a.shortcuts.triggered.connect(lambda: ShortcutSheet.present(self.menuBar(), self))
        a.open_log.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir()))))
        a.about.triggered.connect(self._about)
        self.label_panel.note.done.connect(self.viewer.setFocus)
        self.start_page.open_requested.connect(self.open_project)
        self.menus.recent.aboutToShow.connect(self._fill_recent)
        self.rounds.started.connect(self.status.round_progress.begin)
        self.rounds.stepped.connect(self.status.round_progress.step)
        self.rounds.succeeded.connect(self._round_done)
        self.rounds.failed.connect(lambda exc: report_error(self, exc, "The round failed"))
        self.rounds.cancelled.connect(lambda: self.status.showMessage(
            "Round cancelled; the project is as it was before.", 8000))
        self.rounds.stopped.connect(self._round_stopped)
        self.status.round_progress.cancel_requested.connect(self.rounds.cancel)
        (a.light_theme if current_theme(_application()) == "light"
         else a.dark_theme).setChecked(True)

    # -- start page and projects ------------------------------------------------------------
    def _show_start_page(self) -> None:
        self.status.clearMessage()
        self.start_page.set_recent(self.settings.recent_projects())
        self.stack.setCurrentWidget(self.start_page)
        self.queue_dock.hide()
        self.label_dock.hide()
        self.progress_dock.hide()
        self.setWindowTitle("alstudio")
        self.status.show_project(None, None, 0, None)
        self._update_actions()

    def _fill_recent(self) -> None:
        self.menus.recent.clear()
        for path in self.settings.recent_projects():
            action = self.menus.recent.addAction(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.open_project(p))
        self.menus.recent.setEnabled(bool(self.settings.recent_projects()))

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "",
                                              "alstudio projects (*.alstudio)")
        if path:
            self.open_project(Path(path))

    def new_project(self) -> None:
        path = projects.create_project(self, self.settings)
        if path is not None:
            self.open_project(path)

    def open_demo(self) -> None:
        projects.open_demo(self, self.open_project)

    def open_project(self, path: Path, annotator: str | None = None) -> bool:
        """Open ``path``; asks who is labeling unless given (or given on the command line)."""
        try:
            project = Project.open(Path(path))
        except AlstudioError as exc:
            report_error(self, exc, "Cannot open the project")
            return False
        name = projects.choose_annotator(self, project, annotator or self.fixed_annotator,
                                         self.settings)
        if name is None:
            project.close()
            return False
        self.close_project()
        try:
            self._show_project(project, name)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            # damage past what the quick check at open reads: refuse the file, never crash
            self.close_project()
            project.close()
            report_error(self, DamagedProjectError(
                f"{project.path} is damaged and could not be read ({exc}).",
                "Run `alstudio check PROJECT`: it names the newest good backup."),
                "Cannot open the project")
            return False
        log.info("opened %s as %s", project.path, name)
        return True

    def _raise_progress(self, shown: bool) -> None:
        """F8 shows the Progress tab on top of the queue it shares a dock area with."""
        if shown:
            self.progress_dock.raise_()

    def _show_project(self, project: Project, name: str) -> None:
        """Show an open project to reader ``name``: session, panels, actions, window state."""
        self.session = ProjectSession(project, name, self)
        self.settings.add_recent_project(project.path)
        self.settings.set_last_annotator(name)
        self.session.labels_changed.connect(self._refresh_status)
        self.session.queue_changed.connect(self._refresh_status)
        self._class_actions = class_actions(self, self.session.classes, self.labeling.give)
        self.addActions(self._class_actions)
        self.menus.set_class_actions(self._class_actions)
        self.label_panel.set_classes(self.session.classes, self._class_actions)
        self.queue_panel.set_session(self.session)
        self.progress_panel.set_session(self.session)
        self.labeling.set_session(self.session)
        self.file_guard.watch(project)
        self.stack.setCurrentIndex(1)
        state = self.settings.window_state()
        if state is None or not self.restoreState(state):
            self.queue_dock.show()
            self.label_dock.show()
        self.setWindowTitle(f"{self.session.name} — alstudio")
        self._refresh_status()
        self._update_actions()
        self.viewer.setFocus()
        self._device_idle.arm()
        self.project_opened.emit(project.path)
        settle_heap("opening a project")

    def close_project(self) -> None:
        if self.session is None:
            return
        if self.rounds.running:
            self.rounds.cancel()
            shutdown_workers(30_000)
        self.settings.save_window(self.saveGeometry(), self.saveState())
        session, self.session = self.session, None
        self.file_guard.stop()
        self.labeling.set_session(None)
        self.queue_panel.set_session(None)
        self.progress_panel.set_session(None)
        for action in self._class_actions:
            self.removeAction(action)
            action.deleteLater()
        self._class_actions = []
        self.menus.set_class_actions([])
        self.label_panel.set_classes([], [])
        session.close()
        session.deleteLater()
        self._show_start_page()

    def import_scans(self) -> None:
        if self.session is None:
            return
        report = ImportDialog.run(self, self.session.path)
        if report is not None and report.imported:
            self.session.reload_queue()
            self.pretraining.after_import()

    def export(self) -> None:
        if self.session is not None:
            ExportDialog.run(self, self.session.path)

    # -- rounds -----------------------------------------------------------------------------
    def run_round(self) -> None:
        if self.session is None or self.rounds.running or not engine_available():
            return
        request = RoundDialog.ask(self, self.round_request, self.session.labeled_items())
        if request is not None:
            self.start_round(request)

    def start_round(self, request: RoundConfig) -> bool:
        if self.session is None:
            return False
        self.round_request = request
        started = self.rounds.start(self.session.path, request)
        self._update_actions()
        return started

    def _round_done(self, outcome: object) -> None:
        if self.session is None or self.rounds.project_path != self.session.path:
            return  # the project was closed meanwhile; its file has the round
        self.session.reload_queue()
        self.progress_panel.refresh()
        info = getattr(outcome, "round", None)
        number = getattr(info, "number", "?")
        self.status.showMessage(f"Round {number} done: {len(self.session.entries)} items "
                                "queued.", 10_000)

    def _round_stopped(self) -> None:
        self.status.round_progress.end()
        self._update_actions()

    def _ask_device(self) -> None:
        """The device line needs torch: ask once, in a worker, after the window is up."""
        if self.session is None or not self.isVisible():
            return
        if self._device_asked or not engine_available():
            if not engine_available():
                self.status.show_device("— (no round engine)")
            return
        self._device_asked = True
        worker = Worker(device_job, name="device", parent=self)
        worker.succeeded.connect(self.status.show_device)
        worker.failed.connect(lambda exc: self.status.show_device("unknown"))
        worker.finished.connect(worker.deleteLater)
        worker.start()

    # -- small reactions --------------------------------------------------------------------
    def _refresh_status(self) -> None:
        s = self.session
        if s is not None:
            self.status.show_project(s.name, s.annotator, s.labeled_items(),
                                     s.round.number if s.round else None)

    def _update_actions(self) -> None:
        has_project = self.session is not None
        for action in self.actions.project_actions():
            action.setEnabled(has_project)
        engine = engine_available()
        self.actions.run_round.setEnabled(has_project and engine and not self.rounds.running)
        self.actions.run_round.setToolTip(
            self.actions.run_round.statusTip() if engine else NO_ENGINE_TIP)
        self.actions.cancel_round.setEnabled(self.rounds.running)
        adjudicator = has_project and self.session is not None and self.session.can_adjudicate
        for action in (self.actions.adjudicate, self.actions.disagreements):
            action.setEnabled(adjudicator)

    def _blind_toggled(self, blind: bool) -> None:
        self.settings.set_blind_mode(blind)
        self.labeling.set_blind(blind)

    def _focus_note(self) -> None:
        self.label_dock.show()
        self.label_panel.note.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_disagreements(self) -> None:
        self.queue_dock.show()
        if self.queue_panel.set_filter("disagreements") and self.queue_panel.visible_ids():
            self.labeling.show(self.queue_panel.visible_ids()[0])

    def _focus_jump(self) -> None:
        self.queue_dock.show()
        self.queue_panel.focus_jump()

    def _fill_window_menu(self) -> None:
        self._preset_menu = build_preset_menu(self.viewer, self) if self.viewer.image() else None
        self.menus.set_window_menu(self._preset_menu)

    def set_theme(self, theme: str) -> None:
        apply_theme(_application(), theme)
        self.settings.set_theme(theme)

    def _about(self) -> None:
        QMessageBox.about(self, "About alstudio", (
            f"<b>alstudio {__version__}</b><br>Offline active learning for medical scans."
            f"<br><br>{version_line()}"
            f"<br><br>Log file: {log_file() or log_dir()}"))

    # -- layout -----------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_geometry(), self.settings.window_state()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1440, 900)
        if state is not None:
            self.restoreState(state)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        if self.session is not None:
            self.queue_dock.show()
            self.label_dock.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session is not None:
            self.close_project()  # saves the layout: dock visibility belongs to a project
        else:
            self.settings.save_window(self.saveGeometry(),
                                      self.settings.window_state() or QByteArray())
        self.timer.detach()
        self._device_idle.disarm()
        shutdown_workers(30_000)
        self.prefetcher.shutdown()
        super().closeEvent(event)
