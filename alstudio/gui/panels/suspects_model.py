"""The queue panel's "Suspected label errors" rows: items whose agreed label the latest label
check's out-of-sample predictions contradict, most doubted first.

Same columns as the queue (#, item, score, label, reason): the score is the label quality
(the model's probability of the given class; low is suspect), the label the one given, and
the reason says what the model thinks instead, with its probabilities. Nothing here changes a
label: picking a row opens the scan for a second look.

Blind reading holds here too: a reader who is not an adjudicator sees only the suspects whose
label is theirs alone (no other reader has given the item a class) or that are adjudicated;
an adjudicator sees them all.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from alstudio.gui.panels.queue_model import (
    COLUMNS,
    ITEM_ID_ROLE,
    LABEL_COLUMN,
    SCORE_COLUMN,
    STATUS_ROLE,
)
from alstudio.gui.session import ProjectSession
from alstudio.project import SuspectedLabelError

Index = QModelIndex | QPersistentModelIndex
SUSPECTS_KEY = "suspects"


def describe(suspect: SuspectedLabelError, classes: list[str], full: bool = False) -> str:
    """'abnormal 0.93' (the model's class), or with ``full`` every class's probability."""
    ranked = sorted(zip(classes, suspect.probs, strict=False), key=lambda cp: -cp[1])
    if not ranked:
        return ""
    if not full:
        return f"{ranked[0][0]} {ranked[0][1]:.2f}"
    parts = " · ".join(f"{name} {p:.2f}" for name, p in ranked)
    return (f"Out of sample the model says {ranked[0][0]} ({parts}); given: "
            f"{suspect.given_class}. Score: the model's probability of the given class.")


class SuspectsModel(QAbstractTableModel):
    def __init__(self, session: ProjectSession) -> None:
        super().__init__()
        self._session = session
        self._classes = [c.name for c in session.classes]
        self._colours = {c.name: QColor(c.colour) for c in session.classes}
        self._rows: list[SuspectedLabelError] = []
        self.reload()

    def reload(self) -> None:
        session = self._session
        suspects = session.project.suspected_label_errors()
        if not session.can_adjudicate:
            others = {r.item_id for r in session.project.standing_reads()
                      if r.class_name is not None and r.annotator != session.annotator}
            suspects = [s for s in suspects
                        if s.item_id not in others or session.may_see_readings(s.item_id)]
        self.beginResetModel()
        self._rows = suspects
        self.endResetModel()

    @property
    def ids(self) -> list[int]:
        return [s.item_id for s in self._rows]

    def row_of(self, item_id: int) -> int:
        return next((n for n, s in enumerate(self._rows) if s.item_id == item_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("#", "Item", "Score", "Given", "Model says")[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        suspect = self._rows[index.row()]
        col = index.column()
        if role == ITEM_ID_ROLE:
            return suspect.item_id
        if role == STATUS_ROLE:
            return self._session.status(suspect.item_id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return describe(suspect, self._classes, full=True)
        if role == Qt.ItemDataRole.DisplayRole:
            return (index.row() + 1, suspect.item_id, f"{suspect.score:.3f}",
                    suspect.given_class, describe(suspect, self._classes))[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == LABEL_COLUMN:
            return self._colours.get(suspect.given_class)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 1, SCORE_COLUMN):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
