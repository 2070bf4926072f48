"""Settling a disagreement: the final class and a reason from a short list, by keyboard.

Digits pick the class (as in the label panel), R / M / G / O pick the reason (reader error,
ambiguous image, guideline clarified, other), Enter settles, Esc cancels. 'Other' takes a
few words, typed in the field it focuses.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.panels.readings_view import ReadingsView
from alstudio.project import ClassInfo, ItemLabel, Reading
from alstudio.project.session import ADJUDICATION_REASONS

REASON_KEYS = dict(zip(ADJUDICATION_REASONS, ("R", "M", "G", "O"), strict=True))


class AdjudicateDialog(QDialog):
    def __init__(self, item_id: int, classes: list[ClassInfo], readings: list[Reading],
                 state: ItemLabel | None, chosen: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Adjudicate item {item_id}")
        intro = QLabel("Set the final class and say why. The readers' labels stay as they "
                       "were; the adjudication is one more event in the audit trail.")
        intro.setWordWrap(True)
        self.readings = ReadingsView()
        self.readings.show_readings(readings, state, {c.name: c.colour for c in classes},
                                    can_adjudicate=False)

        self._keys: dict[str, QRadioButton] = {}  # key text -> the choice it picks
        class_box = QGroupBox("Final class")
        class_layout = QVBoxLayout(class_box)
        self.class_group = QButtonGroup(self)
        for cls in classes:
            button = QRadioButton(f"{cls.shortcut or ' '}   {cls.name}")
            button.setProperty("class_name", cls.name)
            button.setStyleSheet(f"QRadioButton {{ border-left: 4px solid {cls.colour};"
                                 " padding-left: 6px; } QRadioButton:checked "
                                 "{ font-weight: bold; }")
            self.class_group.addButton(button)
            class_layout.addWidget(button)
            if cls.shortcut:
                self._keys[cls.shortcut.upper()] = button
            if cls.name == chosen:
                button.setChecked(True)

        reason_box = QGroupBox("Reason")
        reason_layout = QVBoxLayout(reason_box)
        self.reason_group = QButtonGroup(self)
        for reason, key in REASON_KEYS.items():
            button = QRadioButton(f"{key}   {reason}")
            button.setStyleSheet("QRadioButton:checked { font-weight: bold; }")
            button.setProperty("reason", reason)
            self.reason_group.addButton(button)
            reason_layout.addWidget(button)
            self._keys[key] = button
        self.other = QLineEdit()
        self.other.setPlaceholderText("What was decided, in a few words (needed for other)")
        reason_layout.addWidget(self.other)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Settle")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for group in (self.class_group, self.reason_group):
            group.buttonClicked.connect(self._chosen)
        self.other.textChanged.connect(self._validate)
        for choice in self.class_group.buttons() + self.reason_group.buttons():
            choice.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # digits and letters stay keys

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.readings)
        layout.addWidget(class_box)
        layout.addWidget(reason_box)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._validate()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits pick the class, letters the reason; the note field keeps its own keys
        (it gets them first while it has the focus)."""
        button = self._keys.get(event.text().upper()) if event.text() else None
        if button is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            button.click()
            event.accept()
            return
        super().keyPressEvent(event)

    def _chosen(self) -> None:
        if self.reason() == "other":
            self.other.setFocus(Qt.FocusReason.OtherFocusReason)
        self._validate()

    def _validate(self) -> None:
        ok = self.choice() is not None and self.reason() is not None and (
            self.reason() != "other" or bool(self.other.text().strip()))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def choice(self) -> str | None:
        button = self.class_group.checkedButton()
        return None if button is None else str(button.property("class_name"))

    def reason(self) -> str | None:
        button = self.reason_group.checkedButton()
        return None if button is None else str(button.property("reason"))

    def stored_reason(self) -> str:
        """The reason as the project stores it: 'reader error', 'other: TEXT', ..."""
        text = self.other.text().strip()
        return f"{self.reason()}: {text}" if text else str(self.reason())

    @classmethod
    def ask(cls, parent: QWidget | None, item_id: int, classes: list[ClassInfo],
            readings: list[Reading], state: ItemLabel | None,
            chosen: str | None = None) -> tuple[str, str] | None:
        """(final class, reason), or None if the adjudicator cancelled."""
        dialog = cls(item_id, classes, readings, state, chosen, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.choice() is None:
            return None
        return str(dialog.choice()), dialog.stored_reason()
