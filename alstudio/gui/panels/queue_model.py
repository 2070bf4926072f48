"""The queue as a Qt table model, and the filter the queue panel puts in front of it."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from alstudio.gui.session import DECISION_WORDS, ProjectSession

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("#", "Item", "Score", "Label", "Reason")
DISAGREEMENT_COLUMNS = ("#", "Item", "", "Final", "Readers")
SCORE_COLUMN, LABEL_COLUMN, REASON_COLUMN = 2, 3, 4
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2

# filter keys: "all", "unlabeled", "labeled", "undecided" (skip/unsure), "class:<name>", and
# "disagreements", which lists other rows (items whose readers differ, queued or not)
FILTERS = ("all", "unlabeled", "labeled", "undecided")
DISAGREEMENTS = "disagreements"


class QueueModel(QAbstractTableModel):
    """Rows are the session's queue entries in rank order; the label column is this
    annotator's standing decision, coloured like its class. In the disagreements mode
    (adjudicators only) rows are the items whose readers differ: the label column says
    whether each is settled, the reason column what each reader gave."""

    def __init__(self, session: ProjectSession) -> None:
        super().__init__()
        self._session = session
        self.disagreements = False
        self._ids = session.queue_ids()
        self._colours = {c.name: QColor(c.colour) for c in session.classes}
        session.queue_changed.connect(self._reset)
        session.item_changed.connect(self._status_changed)

    def _reset(self) -> None:
        self.beginResetModel()
        self._ids = (self._session.disagreements() if self.disagreements
                     else self._session.queue_ids())
        self.endResetModel()

    def show_disagreements(self, on: bool) -> None:
        """Switch the rows between the queue and the disagreements."""
        if on != self.disagreements:
            self.disagreements = on
            self._reset()

    def _status_changed(self, item_id: int) -> None:
        """One key press changes one row: repaint that row's label, nothing else."""
        row = self.row_of(item_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, LABEL_COLUMN), self.index(row, LABEL_COLUMN))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (DISAGREEMENT_COLUMNS if self.disagreements else COLUMNS)[section]
        return None

    @property
    def ids(self) -> list[int]:
        return self._ids

    def row_of(self, item_id: int) -> int:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item_id = self._ids[index.row()]
        entry = self._session.entry(item_id)
        status = self._session.status(item_id)
        col = index.column()
        if role == ITEM_ID_ROLE:
            return item_id
        if role == STATUS_ROLE:
            return status
        if self.disagreements:
            return self._disagreement_data(index, item_id, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if entry is None:
                return None
            if col == 0:
                return index.row() + 1  # queue position: stored ranks may start at 0
            if col == 1:
                return item_id
            if col == SCORE_COLUMN:
                return "" if entry.score is None else f"{entry.score:.3f}"
            if col == REASON_COLUMN:
                return entry.reason
            return status or ""
        if role == Qt.ItemDataRole.ToolTipRole and col == REASON_COLUMN and entry is not None:
            return entry.reason
        if role == Qt.ItemDataRole.ForegroundRole and col == LABEL_COLUMN and status:
            return self._colours.get(status, QColor("#8a8c91"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


    def _disagreement_data(self, index: Index, item_id: int, role: int) -> object:
        state = self._session.label_state(item_id)
        col = index.column()
        settled = state is not None and state.consensus is not None
        if role == Qt.ItemDataRole.DisplayRole or (role == Qt.ItemDataRole.ToolTipRole
                                                  and col == REASON_COLUMN):
            if col == 0:
                return index.row() + 1
            if col == 1:
                return item_id
            if col == LABEL_COLUMN:
                return state.consensus if settled and state is not None else "open"
            if col == REASON_COLUMN and state is not None:
                return " · ".join(f"{name}: {v}" for name, v in state.by_annotator.items())
            return ""
        if role == Qt.ItemDataRole.ForegroundRole and col == LABEL_COLUMN:
            if settled and state is not None and state.consensus is not None:
                return self._colours.get(state.consensus, QColor("#8a8c91"))
            return QColor("#d9a441")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class QueueFilter(QSortFilterProxyModel):
    """Shows the rows one filter key admits (see :data:`FILTERS`)."""

    def __init__(self) -> None:
        super().__init__()
        self._key = "all"

    @property
    def key(self) -> str:
        return self._key

    def set_key(self, key: str) -> None:
        self.beginFilterChange()
        self._key = key
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._key in ("all", DISAGREEMENTS):
            return True
        model = self.sourceModel()
        return accepts(self._key, model.data(model.index(source_row, 0, source_parent),
                                             STATUS_ROLE))


def accepts(key: str, status: str | None) -> bool:
    """Whether a filter key admits an item with this annotator's ``status``."""
    if key == "unlabeled":
        return status is None
    if key == "labeled":
        return status is not None and status not in DECISION_WORDS
    if key == "undecided":
        return status in DECISION_WORDS
    if key.startswith("class:"):
        return status == key[len("class:"):]
    return True
