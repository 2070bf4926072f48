"""Every command of the window as a QAction with its shortcut, created in one place.

Menus, the label panel's buttons and the shortcut sheet (F1) all use these same actions, so
a shortcut shown anywhere is the one that works, and the sheet cannot drift from the menus.

Keys were chosen not to collide with the viewer's own (I invert, R reset window, F fit,
Ctrl+1 one-to-one, PageUp/PageDown and the arrow keys for slices): classes are the digit
keys 1-9, S skips, U marks unsure, N and P walk the queue, D lists the disagreements and A
adjudicates one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from alstudio.project import ClassInfo

StandardKey = QKeySequence.StandardKey


def make_action(parent: QObject, text: str, shortcut: str | StandardKey | None = None,
                tip: str = "", slot: Callable[[], object] | None = None,
                checkable: bool = False) -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        if isinstance(shortcut, StandardKey):
            action.setShortcuts(shortcut)
        else:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.setCheckable(checkable)
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action


class Actions(QObject):
    """The window's fixed actions; class actions come and go with the open project."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        a = make_action
        # File
        self.new_project = a(parent, "&New project…", "Ctrl+N", "Create a project file")
        self.open_project = a(parent, "&Open project…", "Ctrl+O", "Open a .alstudio file")
        self.open_demo = a(parent, "Open &demo", None,
                           "Open the BreastMNIST demo (built on first use)")
        self.import_scans = a(parent, "&Import scans…", "Ctrl+I",
                              "Add DICOM, NIfTI, PNG/JPEG/TIFF or .npz files to the project")
        self.export = a(parent, "&Export…", "Ctrl+Shift+E",
                        "Export labels, images, de-identified DICOM, reports or the model")
        self.merge_projects = a(parent, "&Merge projects…", None,
                                "Bring readers' project files from other workstations together")
        self.save_copy = a(parent, "Save a &copy…", None,
                           "A consistent copy of the project, with every label so far")
        self.close_project = a(parent, "&Close project", "Ctrl+W", "Back to the start page")
        self.quit = a(parent, "&Quit", "Ctrl+Q", "Quit alstudio")
        # Label
        self.skip = a(parent, "&Skip", "S", "Skip this item (no label)")
        self.unsure = a(parent, "&Unsure", "U", "Mark this item as unsure")
        self.undo = a(parent, "&Undo last label", "Ctrl+Z", "Retract your latest decision")
        self.edit_note = a(parent, "Write a &note", "Ctrl+E",
                           "Focus the note field (Esc or Enter returns to the scan)")
        self.adjudicate = a(parent, "&Adjudicate…", "A",
                            "Settle a disagreement: the final class and a reason "
                            "(adjudicators only)")
        self.blind = a(parent, "&Blind mode", "B",
                       "Hide the model's prediction until you have labeled the item",
                       checkable=True)
        # Navigate
        self.next_item = a(parent, "&Next item", "N", "Next item in the queue (as filtered)")
        self.previous_item = a(parent, "&Previous item", "P",
                               "Previous item in the queue (as filtered)")
        self.next_unlabeled = a(parent, "Next &unlabeled item", "Shift+N",
                                "Next queued item you have not decided on")
        self.jump = a(parent, "&Go to item…", "Ctrl+J", "Jump to an item by its id")
        self.disagreements = a(parent, "&Disagreements", "D",
                               "Items whose readers differ, each reader's label side by side "
                               "(adjudicators only)")
        # Rounds
        self.run_round = a(parent, "&Run round…", "Ctrl+R",
                           "Train on the labels so far and queue the next batch")
        self.cancel_round = a(parent, "&Cancel round", None,
                              "Stop the running round; the project stays as it was")
        self.agreement = a(parent, "Reader &agreement…", "Ctrl+Shift+A",
                           "Kappa, alpha and percent agreement between readers")
        self.check_labels = a(parent, "Check &labels…", None,
                              "List labels the model contradicts out of sample (none changed)")
        self.second_read_suspects = a(parent, "Send suspects for a &second read", None,
                                      "Ask one more reader for each suspected label error "
                                      "listed (the labels stand)")
        self.pretrain = a(parent, "Learn from the unlabeled &pool…", "Ctrl+Shift+P",
                          "Pretrain the model's encoder on the pool's scans, no labels "
                          "needed; Run round can then start from it")
        # View
        self.theme_group = QActionGroup(parent)
        self.dark_theme = a(parent, "&Dark theme", None, "Dark theme (reading room)",
                            checkable=True)
        self.light_theme = a(parent, "&Light theme", None, "Light theme", checkable=True)
        self.theme_group.addAction(self.dark_theme)
        self.theme_group.addAction(self.light_theme)
        self.reset_layout = a(parent, "Reset &layout", None, "Put the panels back")
        # Help
        self.shortcuts = a(parent, "&Keyboard shortcuts", "F1", "Every shortcut on one sheet")
        self.open_log = a(parent, "Open &log folder", None, "Where alstudio writes its log")
        self.about = a(parent, "&About alstudio", None)

    def project_actions(self) -> list[QAction]:
        """Actions that need an open project."""
        return [self.import_scans, self.export, self.save_copy, self.close_project, self.skip,
                self.unsure, self.undo, self.edit_note, self.next_item, self.previous_item,
                self.next_unlabeled, self.jump, self.run_round, self.agreement,
                self.check_labels, self.second_read_suspects, self.pretrain]

    def item_actions(self) -> list[QAction]:
        """Actions that need an item on screen."""
        return [self.skip, self.unsure]


def class_actions(parent: QObject, classes: list[ClassInfo],
                  give: Callable[[str], None]) -> list[QAction]:
    """One action per class, with the class's shortcut key (1-9 by default)."""
    actions = []
    for cls in classes:
        action = make_action(parent, cls.name, cls.shortcut, f"Label this item '{cls.name}'")
        action.setData(cls.name)
        action.triggered.connect(lambda _checked=False, name=cls.name: give(name))
        actions.append(action)
    return actions
