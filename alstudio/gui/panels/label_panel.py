"""Label panel: what the item is, a button per class, Skip / Unsure, a note, undo and
navigation, and the model's prediction (blind until labeled).

The buttons show the window's actions (:mod:`alstudio.gui.actions`), so clicking and the key
press run the same code. Buttons never take keyboard focus: Space or Enter must not press
whichever button was clicked last.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.actions import Actions
from alstudio.gui.panels.prediction_view import PredictionView
from alstudio.gui.panels.readings_view import ReadingsView
from alstudio.project import ClassInfo


class NoteField(QLineEdit):
    """A one-line note; Esc or Enter hands the keyboard back to the scan (``done``)."""

    done = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.done.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ActionButton(QPushButton):
    """A push button that shows and triggers one action (text, tip, enabled, checked).

    Unlike a tool button it can align its text left, so a column of class buttons reads
    like a list of keys: ``1   malignant``, ``2   benign``.
    """

    def __init__(self, action: QAction, role: str = "decision") -> None:
        super().__init__()
        self._action = action
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setProperty("role", role)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.clicked.connect(lambda _checked=False: action.trigger())
        action.changed.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        action = self._action
        self.setText(action.iconText())
        self.setToolTip(_tip(action))
        self.setEnabled(action.isEnabled())


def _tip(action: QAction) -> str:
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    tip = action.toolTip() or action.text().replace("&", "")
    return f"{tip} ({keys})" if keys else tip


def action_button(action: QAction, role: str = "decision",
                  short: str | None = None) -> ActionButton:
    """A button for ``action`` that shows its key first, so the hands learn the keys."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    text = short or action.text().replace("&", "")
    action.setIconText(f"{keys}   {text}" if keys else text)
    return ActionButton(action, role)


class LabelPanel(QWidget):
    def __init__(self, actions: Actions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._actions = actions
        self.item_title = QLabel("No item")
        self.item_title.setProperty("role", "item-title")
        self.item_detail = QLabel("")
        self.item_detail.setProperty("role", "dim")
        self.item_detail.setWordWrap(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.read_note = QLabel("")  # double reading: says so, never what others gave
        self.read_note.setProperty("role", "read-note")
        self.read_note.setWordWrap(True)
        self.read_note.hide()
        self.readings = ReadingsView()  # other readers' labels: adjudicators, or once settled
        self.readings.hide()
        # geometry a reader must know before judging the scan (slice gap, gantry tilt)
        self.geometry_note = QLabel("")
        self.geometry_note.setWordWrap(True)
        self.geometry_note.setTextFormat(Qt.TextFormat.PlainText)
        self.geometry_note.setStyleSheet("color: #e6b45a;")
        self.geometry_note.hide()

        self._class_box = QGroupBox("Your decision")
        self._class_grid = QGridLayout(self._class_box)
        self._class_grid.setSpacing(6)
        self.class_buttons: list[ActionButton] = []
        decisions = QHBoxLayout()
        decisions.addWidget(action_button(actions.skip))
        decisions.addWidget(action_button(actions.unsure))
        self._decisions = decisions

        self.note = NoteField()
        self.note.setPlaceholderText("Note (optional, Ctrl+E; Esc returns to the scan)")
        self.note.setClearButtonEnabled(True)

        nav = QHBoxLayout()
        for action, short in ((actions.previous_item, "Previous"), (actions.next_item, "Next"),
                              (actions.undo, "Undo")):
            nav.addWidget(action_button(action, "nav", short))

        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        self.blind = QCheckBox("Blind mode: hide the model until I label (B)")
        self.blind.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.blind.setToolTip(actions.blind.toolTip())
        self.blind.setChecked(actions.blind.isChecked())
        self.blind.toggled.connect(actions.blind.setChecked)
        actions.blind.toggled.connect(self.blind.setChecked)
        model_layout.addWidget(self.blind)
        self.prediction = PredictionView()
        model_layout.addWidget(self.prediction)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(self.item_title)
        layout.addWidget(self.item_detail)
        layout.addWidget(self.geometry_note)
        layout.addWidget(self.status)
        layout.addWidget(self.read_note)
        layout.addWidget(self.readings)
        layout.addWidget(self._class_box)
        layout.addWidget(self.note)
        layout.addLayout(nav)
        layout.addWidget(model_box)
        layout.addStretch(1)

    def set_classes(self, classes: list[ClassInfo], actions: list[QAction]) -> None:
        """A coloured button per class, the key shown first (``1  malignant``)."""
        for button in self.class_buttons:  # hide now: deletion waits for the event loop
            button.hide()
            button.setParent(None)
            button.deleteLater()
        self.class_buttons = []
        while self._class_grid.count():
            self._class_grid.takeAt(0)
        for n, (cls, action) in enumerate(zip(classes, actions, strict=True)):
            button = action_button(action, "class")
            button.setStyleSheet(
                f"QPushButton {{ border-left: 5px solid {cls.colour}; text-align: left;"
                " padding: 8px 12px; }")
            self._class_grid.addWidget(button, n // 2 if len(classes) > 4 else n,
                                       n % 2 if len(classes) > 4 else 0)
            self.class_buttons.append(button)
        self._class_grid.addLayout(self._decisions, self._class_grid.rowCount(), 0, 1, 2)

    def show_item(self, title: str, detail: str, warnings: str = "") -> None:
        """The item's title and facts; ``warnings`` (one per line) shown apart, in amber."""
        self.item_title.setText(title)
        self.item_detail.setText(detail)
        lines = [line for line in warnings.splitlines() if line.strip()]
        self.geometry_note.setText("\n".join(f"Warning: {line}" for line in lines))
        self.geometry_note.setVisible(bool(lines))

    def show_status(self, status: str | None, colour: str | None) -> None:
        """This annotator's standing decision on the item, or an invitation to give one."""
        if status is None:
            self.status.setText("Not labeled yet: press a class key.")
            self.status.setStyleSheet("")
        else:
            tint = colour or "#8a8c91"
            self.status.setText(f"Your label: <b style='color:{tint}'>{status}</b>"
                                " (Ctrl+Z undoes)")

    def show_read_note(self, text: str | None) -> None:
        """'Second read: …' when the item is double read; hidden for a single read."""
        self.read_note.setText(text or "")
        self.read_note.setVisible(bool(text))
