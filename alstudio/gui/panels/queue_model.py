"""The queue as a Qt table model that filters its own rows (see :class:`QueueModel`)."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from alstudio.gui.session import DECISION_WORDS, ProjectSession

if TYPE_CHECKING:  # the suspects' model takes its columns from here
    from alstudio.gui.panels.suspects_model import SuspectsModel

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
    """Rows are the session's queue entries in rank order that the filter key admits (see
    :data:`FILTERS`); the label column is this annotator's standing decision, coloured like
    its class. In the disagreements mode (adjudicators only) rows are the items whose
    readers differ: the label column says whether each is settled, the reason column what
    each reader gave.

    The model filters its own rows, with no proxy in front: a proxy asks Python about every
    row on each change, which at 100,000 queued items stalled the window for a third of a
    second per filter switch. Here a filter is one list comprehension, a key press moves at
    most one row, and the view only asks for the rows it paints.
    """

    def __init__(self, session: ProjectSession) -> None:
        super().__init__()
        self._session = session
        self.disagreements = False
        #: the suspected label errors shown instead of the queue (see :meth:`show_rows`)
        self.suspects: SuspectsModel | None = None
        self._key = "all"
        self._ids = session.queue_ids()
        self._colours = {c.name: QColor(c.colour) for c in session.classes}
        session.queue_changed.connect(self._reset)
        session.item_changed.connect(self._status_changed)

    @property
    def key(self) -> str:
        """The filter key the rows follow."""
        return self._key

    def _rows_for(self) -> list[int]:
        """The item ids the mode and the filter key admit, in queue order."""
        session = self._session
        if self.disagreements:
            return session.disagreements()
        ids = session.queue_ids()
        if self._key == "all":
            return ids
        key, status = self._key, session.status
        return [i for i in ids if accepts(key, status(i))]

    def _reset(self) -> None:
        self.beginResetModel()
        self._ids = self._rows_for()
        self.endResetModel()

    def show_rows(self, key: str, suspects: SuspectsModel | None = None) -> None:
        """Show the queue under filter ``key``, the disagreements (``key`` is
        :data:`DISAGREEMENTS`), or another model's rows (``suspects``): one reset at most.

        The view keeps this one model whatever it shows: putting another model in a view
        of 100,000 rows made Qt lay every row out again (0.1 s) on the way back.
        """
        disagreements = key == DISAGREEMENTS and suspects is None
        if suspects is None and self.suspects is None and (key, disagreements) == (
                self._key, self.disagreements):
            return
        self.beginResetModel()
        self._key, self.disagreements, self.suspects = key, disagreements, suspects
        self._ids = [] if suspects is not None else self._rows_for()
        self.endResetModel()

    def refresh_suspects(self) -> None:
        """The shown suspects were read again: show their new rows."""
        self.beginResetModel()
        self.endResetModel()

    def show_disagreements(self, on: bool) -> None:
        """Switch the rows between the queue and the disagreements."""
        if on != self.disagreements:
            self.show_rows(DISAGREEMENTS if on else "all")

    def set_key(self, key: str) -> None:
        """Show only the queued items ``key`` admits (one pass over the queue)."""
        if key != self._key:
            self.show_rows(key)

    def _filtered(self) -> bool:
        return (not self.disagreements and self.suspects is None
                and self._key not in ("all", DISAGREEMENTS))

    def _status_changed(self, item_id: int) -> None:
        """One key press changes one row: repaint its label, or move it in or out of a
        filtered list (a labeled item leaves 'unlabeled', an undone one comes back)."""
        row = self.row_of(item_id)
        if self._filtered():
            wanted = (accepts(self._key, self._session.status(item_id))
                      and self._session.position(item_id) is not None)
            if row >= 0 and not wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._ids[row]
                self.endRemoveRows()
                return
            if row < 0 and wanted:
                at = self._insertion_row(item_id)
                self.beginInsertRows(QModelIndex(), at, at)
                self._ids.insert(at, item_id)
                self.endInsertRows()
                return
        if row >= 0:
            self.dataChanged.emit(self.index(row, LABEL_COLUMN), self.index(row, LABEL_COLUMN))

    def _insertion_row(self, item_id: int) -> int:
        """Where a queued item goes in the filtered rows to keep queue order."""
        position = self._session.position
        at = position(item_id) or 0
        return bisect.bisect_left(self._ids, at, key=lambda i: position(i) or 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if self.suspects is not None:
            return self.suspects.rowCount(parent)
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if self.suspects is not None:
            return self.suspects.headerData(section, orientation, role)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (DISAGREEMENT_COLUMNS if self.disagreements else COLUMNS)[section]
        return None

    @property
    def ids(self) -> list[int]:
        """The shown rows' item ids (the model's own list: read it, do not change it)."""
        if self.suspects is not None:
            return self.suspects.ids
        return self._ids

    def row_of(self, item_id: int) -> int:
        """The row showing ``item_id``, -1 if none: O(1) or O(log n) in queue modes."""
        if self.suspects is not None:
            return self.suspects.row_of(item_id)
        if self.disagreements:
            try:
                return self._ids.index(item_id)
            except ValueError:
                return -1
        at = self._session.position(item_id)
        if at is None:
            return -1
        row = at - 1 if self._key == "all" else self._insertion_row(item_id)
        ok = 0 <= row < len(self._ids) and self._ids[row] == item_id
        return row if ok else -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if self.suspects is not None:
            return self.suspects.data(self.suspects.index(index.row(), index.column()), role)
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
            if col == 0:  # queue position (stored ranks may start at 0), filtered or not
                return self._session.position(item_id) or index.row() + 1
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
