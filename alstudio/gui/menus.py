"""The menu bar, built from :class:`~alstudio.gui.actions.Actions`.

Every action lives in a menu, with its shortcut shown there; the shortcut sheet reads these
menus, so what the sheet lists is exactly what the menus offer.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar

from alstudio.gui.actions import Actions


class Menus:
    def __init__(self, bar: QMenuBar, actions: Actions, docks: list[QDockWidget]) -> None:
        a = actions
        self.file = bar.addMenu("&File")
        self.file.addActions([a.new_project, a.open_project, a.open_demo])
        self.recent = self.file.addMenu("Recent projects")
        self.file.addSeparator()
        self.file.addActions([a.import_scans, a.export, a.merge_projects, a.save_copy])
        self.file.addSeparator()
        self.file.addActions([a.close_project, a.quit])

        self.label = bar.addMenu("&Label")
        self._label_fixed = [a.skip, a.unsure, None, a.edit_note, a.undo, None, a.adjudicate,
                             None, a.blind]
        self.set_class_actions([])

        self.navigate = bar.addMenu("&Navigate")
        self.navigate.addActions([a.next_item, a.previous_item, a.next_unlabeled, a.jump,
                                  a.disagreements])

        self.rounds = bar.addMenu("&Rounds")
        self.rounds.addActions([a.run_round, a.cancel_round, a.pretrain])
        self.rounds.addSeparator()
        self.rounds.addActions([a.agreement, a.check_labels, a.second_read_suspects])

        self.view = bar.addMenu("&View")
        self.view.addActions([a.dark_theme, a.light_theme])
        self.view.addSeparator()
        for dock in docks:
            self.view.addAction(dock.toggleViewAction())
        self.view.addAction(a.reset_layout)
        self.window_menu = self.view.addMenu("Scan window")

        self.help = bar.addMenu("&Help")
        self.help.addActions([a.shortcuts, a.open_log, a.about])

    def set_class_actions(self, class_actions: list[QAction]) -> None:
        """The Label menu: one entry per class first, then the fixed decisions."""
        self.label.clear()
        self.label.addActions(class_actions)
        if class_actions:
            self.label.addSeparator()
        for action in self._label_fixed:
            if action is None:
                self.label.addSeparator()
            else:
                self.label.addAction(action)

    def set_window_menu(self, menu: QMenu | None) -> None:
        """Mirror the viewer's presets menu (rebuilt for each scan) under View."""
        self.window_menu.clear()
        if menu is None:
            self.window_menu.setEnabled(False)
            return
        self.window_menu.setEnabled(True)
        for action in menu.actions():
            self.window_menu.addAction(action)
