"""Every reader's label, time and note on one item, side by side, one column per reader.

Shown only where the session allows it (an adjudicator, or anyone once the item is
adjudicated): until then a reader is blind to the other readers as to the model.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from alstudio.project import ItemLabel, Reading

ROW_TITLES = ("Label", "Time", "Note")


def _cell(text: str, role: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if role:
        label.setProperty("role", role)
    return label


class ReadingsView(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Readers", parent)
        self.verdict = _cell("")
        self._table = QWidget()
        self._grid = QGridLayout(self._table)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(14)
        self._grid.setVerticalSpacing(4)
        layout = QVBoxLayout(self)
        layout.addWidget(self._table)
        layout.addWidget(self.verdict)
        self.columns: list[str] = []  # reader names shown, left to right (tests read them)

    def show_readings(self, readings: list[Reading], state: ItemLabel | None,
                      colours: dict[str, str], can_adjudicate: bool) -> None:
        """One column per reader (adjudicators last), and what the item's label is now."""
        self._clear()
        ordered = sorted(readings, key=lambda r: (r.role == "adjudicator", r.event_id))
        self.columns = [r.annotator for r in ordered]
        for row, title in enumerate(ROW_TITLES, start=1):
            self._grid.addWidget(_cell(title, "dim"), row, 0)
        for col, reading in enumerate(ordered, start=1):
            who = html.escape(reading.annotator)
            if reading.role == "adjudicator":
                who += " <span style='color:#8a8c91'>(adjudicator)</span>"
            self._grid.addWidget(_cell(f"<b>{who}</b>"), 0, col)
            tint = colours.get(reading.choice, "#8a8c91")
            self._grid.addWidget(_cell(f"<b style='color:{tint}'>"
                                       f"{html.escape(reading.choice)}</b>"), 1, col)
            seconds = reading.seconds_spent
            self._grid.addWidget(_cell("—" if seconds is None else f"{seconds:.1f} s"), 2, col)
            note = reading.reason if reading.role == "adjudicator" else reading.note
            self._grid.addWidget(_cell(html.escape(note or "—"), "" if note else "dim"), 3, col)
        self._grid.setColumnStretch(len(ordered), 1)
        self.verdict.setText(_verdict(state, can_adjudicate))
        self.show()

    def _clear(self) -> None:
        while self._grid.count():
            taken = self._grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for col in range(self._grid.columnCount()):
            self._grid.setColumnStretch(col, 0)


def _verdict(state: ItemLabel | None, can_adjudicate: bool) -> str:
    if state is None:
        return ""
    if state.source == "adjudicated":
        return (f"Adjudicated: <b>{html.escape(state.consensus or '')}</b> — "
                f"{html.escape(state.adjudication_reason or 'no reason given')}")
    if state.consensus is not None:
        return f"Training uses <b>{html.escape(state.consensus)}</b> ({state.source})."
    if state.disagreement:
        return ("Readers disagree: this item stays out of training until settled."
                + (" Press <b>A</b> to adjudicate." if can_adjudicate else ""))
    return ""
