"""The main window: wiring only. Each panel, dialog and job lives in its own module; this one
creates them and connects them: the docks (``docks``), a project's opening and closing
(``project_lifecycle``), rounds (``round_controls``) and the View and Help commands
(``view_commands``) each have their own module.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout

from alstudio.gui.actions import Actions
from alstudio.gui.active_time import ActiveTimer
from alstudio.gui.docks import PanelDocks
from alstudio.gui.file_guard import FileBanner, FileGuard
from alstudio.gui.labeling import LabelingController
from alstudio.gui.menus import Menus
from alstudio.gui.panels.label_panel import LabelPanel
from alstudio.gui.panels.opening_page import OpeningPage
from alstudio.gui.panels.progress_panel import ProgressPanel
from alstudio.gui.panels.queue_panel import QueuePanel
from alstudio.gui.panels.start_page import StartPage
from alstudio.gui.panels.status_bar import StatusBar
from alstudio.gui.pretraining import PoolPretraining
from alstudio.gui.project_lifecycle import ProjectLifecycle
from alstudio.gui.reader_tools import ReaderTools
from alstudio.gui.round_controls import RoundControls
from alstudio.gui.rounds import RoundRunner, engine_available
from alstudio.gui.session import ProjectSession
from alstudio.gui.settings import AppSettings
from alstudio.gui.view_commands import ViewCommands, application
from alstudio.gui.viewer import ImagePrefetcher, ScanViewer
from alstudio.gui.viewer_page import ViewerPage
from alstudio.gui.worker import shutdown_workers
from alstudio.workflow.round import RoundConfig

NO_ENGINE_TIP = "The round engine (alstudio.workflow) is not installed in this build."


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
        self.session: ProjectSession | None = None  # set by ProjectLifecycle only
        self.round_request = RoundConfig()  # the last round asked for: the dialog starts there
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
        self.opening_page = OpeningPage()
        self.stack.addWidget(self.opening_page)
        self.setCentralWidget(self.stack)

        self.queue_panel = QueuePanel()
        self.label_panel = LabelPanel(self.actions)
        self.progress_panel = ProgressPanel()
        self.docks = PanelDocks(self, self.queue_panel, self.label_panel, self.progress_panel)
        self.queue_dock, self.label_dock = self.docks.queue, self.docks.label
        self.progress_dock = self.docks.progress
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.menus = Menus(self.menuBar(), self.actions, self.docks.all())

        self.timer = ActiveTimer(application(), parent=self)
        self.labeling = LabelingController(self.viewer, self.prefetcher, self.label_panel,
                                           self.queue_panel, self.timer,
                                           self.settings.blind_mode(), self)
        self.labeling.message.connect(lambda text: self.status.showMessage(text, 8000))
        self.labeling.class_actions_changed.connect(self.menus.set_class_actions)
        self.labeling.connect_actions(self.actions, self)
        self.rounds = RoundRunner(self)
        self.round_controls = RoundControls(self, self.rounds)
        self.lifecycle = ProjectLifecycle(self)
        self.view_commands = ViewCommands(self)
        self.reader_tools = ReaderTools(self, self.actions)
        self.pretraining = PoolPretraining(self, self.actions)
        self._connect()
        self.docks.restore_window(self.settings)
        self.lifecycle.show_start_page()

    def _connect(self) -> None:
        """What reaches across panels; the labeling controller takes the labeling commands
        and each other group of actions is wired by its own module."""
        a = self.actions
        a.quit.triggered.connect(self.close)
        a.disagreements.triggered.connect(self._show_disagreements)
        a.edit_note.triggered.connect(self._focus_note)
        a.blind.setChecked(self.labeling.blind)
        a.blind.toggled.connect(self._blind_toggled)
        a.jump.triggered.connect(self._focus_jump)
        self.label_panel.note.done.connect(self.viewer.setFocus)

    # -- projects (ProjectLifecycle does the work) ------------------------------------------
    def open_project(self, path: Path, annotator: str | None = None, wait: bool = True) -> bool:
        """Open ``path``; asks who is labeling unless given (or given on the command line).

        The work runs in the background; ``wait`` runs the event loop until it is done and
        says whether the project is shown (what scripts and tests want), else returns True.
        """
        self.lifecycle.open_project(path, annotator)
        return self.lifecycle.wait_opened() if wait else True

    def close_project(self) -> None:
        self.lifecycle.close_project()

    def choose_project(self) -> None:
        self.lifecycle.choose_project()

    def new_project(self) -> None:
        self.lifecycle.new_project()

    def open_demo(self) -> None:
        self.lifecycle.open_demo()

    def import_scans(self) -> None:
        self.lifecycle.import_scans()

    def export(self) -> None:
        self.lifecycle.export()

    # -- rounds (RoundControls does the work) -----------------------------------------------
    def run_round(self) -> None:
        self.round_controls.run_round()

    def start_round(self, request: RoundConfig) -> bool:
        return self.round_controls.start_round(request)

    # -- what the window shows of the project -----------------------------------------------
    def refresh_status(self) -> None:
        """The status bar's project line: name, reader, labels given, current round."""
        s = self.session
        if s is not None:
            self.status.show_project(s.name, s.annotator, s.labeled_items(),
                                     s.round.number if s.round else None)

    def update_actions(self) -> None:
        """Enable what the open project (or none), the engine and the reader's role allow."""
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

    # -- view -------------------------------------------------------------------------------
    def set_theme(self, theme: str) -> None:
        self.view_commands.set_theme(theme)

    def reset_layout(self) -> None:
        self.docks.reset(self.session is not None)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session is not None:
            self.close_project()  # saves the layout: dock visibility belongs to a project
        else:
            self.settings.save_window(self.saveGeometry(),
                                      self.settings.window_state() or QByteArray())
        self.timer.detach()
        self.round_controls.stop()
        shutdown_workers(30_000)
        self.prefetcher.shutdown()
        super().closeEvent(event)
