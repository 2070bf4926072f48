"""The window's three docked panels: Queue (F6), Label (F7) and Progress (F8).

Where they sit, which key shows each, the layout "Reset layout" returns to, and which are
shown on the start page and on a project. The panels themselves live in ``panels/``.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from alstudio.gui.settings import AppSettings

Area = Qt.DockWidgetArea


def make_dock(window: QMainWindow, title: str, name: str, widget: QWidget, area: Area,
              key: str) -> QDockWidget:
    """A movable, closable dock around ``widget``; ``key`` toggles it (View menu too)."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # saveState/restoreState find docks by name
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    dock.toggleViewAction().setShortcut(key)
    dock.toggleViewAction().setText(f"{title} panel")
    window.addDockWidget(area, dock)
    dock.setMinimumWidth(300 if name == "labelDock" else 340)
    return dock


class PanelDocks:
    """The docks around the queue, label and progress panels, and their default layout."""

    def __init__(self, window: QMainWindow, queue: QWidget, label: QWidget,
                 progress: QWidget) -> None:
        self.window = window
        self.queue = make_dock(window, "Queue", "queueDock", queue, Area.LeftDockWidgetArea, "F6")
        self.label = make_dock(window, "Label", "labelDock", label, Area.RightDockWidgetArea,
                               "F7")
        self.progress = make_dock(window, "Progress", "progressDock", progress,
                                  Area.LeftDockWidgetArea, "F8")
        window.tabifyDockWidget(self.queue, self.progress)  # F8 shows it on top
        self.progress.toggleViewAction().triggered.connect(self._raise_progress)
        self.progress.hide()
        window.resizeDocks([self.queue, self.label], [430, 330], Qt.Orientation.Horizontal)
        self.default_state = window.saveState()

    def all(self) -> list[QDockWidget]:
        """Every dock, in the order the View menu lists them."""
        return [self.queue, self.label, self.progress]

    def _raise_progress(self, shown: bool) -> None:
        """F8 shows the Progress tab on top of the queue it shares a dock area with."""
        if shown:
            self.progress.raise_()

    def hide_all(self) -> None:
        """The start page shows no panel."""
        for dock in self.all():
            dock.hide()

    def show_project(self, state: QByteArray | None) -> None:
        """A project's panels: as the reader left them (``state``), else queue and label."""
        if state is None or not self.window.restoreState(state):
            self.queue.show()
            self.label.show()

    def reset(self, has_project: bool) -> None:
        """Put the panels back where they start (shown only with a project open)."""
        self.window.restoreState(self.default_state)
        if has_project:
            self.queue.show()
            self.label.show()

    def restore_window(self, settings: AppSettings) -> None:
        """The window's size, place and dock layout as last saved (or a first-run size)."""
        geometry, state = settings.window_geometry(), settings.window_state()
        if geometry is None or not self.window.restoreGeometry(geometry):
            self.window.resize(1440, 900)
        if state is not None:
            self.window.restoreState(state)
