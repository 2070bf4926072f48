"""Queue panel: the current round's queue (rank, score, reason, label), filters, jump to an
item by id, and the label budget."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.panels.queue_model import (
    DISAGREEMENTS,
    ITEM_ID_ROLE,
    LABEL_COLUMN,
    REASON_COLUMN,
    SCORE_COLUMN,
    QueueModel,
)
from alstudio.gui.panels.suspects_model import SUSPECTS_KEY, SuspectsModel
from alstudio.gui.session import ProjectSession


class QueuePanel(QWidget):
    """Emits ``item_chosen(item_id)`` when the user picks a row or jumps to an id, and
    ``second_read_requested`` from the suspects view's button."""

    item_chosen = Signal(int)
    second_read_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._model: QueueModel | None = None  # one model whatever the filter shows

        self.title = QLabel("No project open")
        self.title.setProperty("role", "dim")
        self.filter_box = QComboBox()
        self.filter_box.setToolTip("Show only some of the queue")
        self.jump_field = QLineEdit()
        self.jump_field.setPlaceholderText("Go to item id…")
        self.jump_field.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.jump_field.setClearButtonEnabled(True)
        self.jump_field.returnPressed.connect(self._jump)
        self.jump_field.setToolTip("Type an item id and press Enter (Ctrl+J focuses this field)")

        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Fixed widths, never ResizeToContents: that mode reads every row of every column
        # on each change, which made a key press cost a third of a second on 600 items.
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)  # the reason takes what is left
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.clicked.connect(self._row_clicked)
        self.table.activated.connect(self._row_clicked)

        self.budget_bar = QProgressBar()
        self.budget_bar.setTextVisible(True)
        self.budget_spin = QSpinBox()
        self.budget_spin.setRange(0, 1_000_000)
        self.budget_spin.setSpecialValueText("none")
        self.budget_spin.setPrefix("budget ")
        self.budget_spin.setToolTip("How many labels this project means to spend (0 = none)")
        self.budget_spin.setKeyboardTracking(False)
        self.budget_spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.budget_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.budget_spin.valueChanged.connect(self._budget_edited)

        self.second_read_button = QPushButton("Send these for a second read")
        self.second_read_button.setToolTip("Ask one more reader for each suspect listed; "
                                           "no label is changed")
        self.second_read_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.second_read_button.clicked.connect(self.second_read_requested)
        self.second_read_button.hide()

        tools = QHBoxLayout()
        tools.addWidget(self.filter_box, 1)
        tools.addWidget(self.jump_field, 1)
        budget = QHBoxLayout()
        budget.addWidget(self.budget_bar, 1)
        budget.addWidget(self.budget_spin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.second_read_button)
        layout.addLayout(budget)
        self.filter_box.currentIndexChanged.connect(self._filter_changed)
        self.set_session(None)

    # -- session ----------------------------------------------------------------------------
    def set_session(self, session: ProjectSession | None) -> None:
        self._session = session
        self.filter_box.blockSignals(True)
        self.filter_box.clear()
        for text, key in (("All", "all"), ("Unlabeled", "unlabeled"), ("Labeled", "labeled"),
                          ("Skipped or unsure", "undecided")):
            self.filter_box.addItem(text, key)
        if session is not None:
            for cls in session.classes:
                self.filter_box.addItem(f"Class: {cls.name}", f"class:{cls.name}")
            if session.can_adjudicate:  # readers stay blind to each other
                self.filter_box.addItem("Disagreements (D)", DISAGREEMENTS)
            self.filter_box.addItem("Suspected label errors", SUSPECTS_KEY)
        self.filter_box.blockSignals(False)
        self._model = QueueModel(session) if session is not None else None
        self._show_model(self._model)
        self._size_columns()
        self.setEnabled(session is not None)
        if session is not None:
            session.queue_changed.connect(self._refresh_title)
            session.labels_changed.connect(self._refresh_budget)
            session.labels_changed.connect(self._refresh_title)
            session.budget_changed.connect(self._refresh_budget)
        self._refresh_title()
        self._refresh_budget()

    def _show_model(self, model: QueueModel | None) -> None:
        """Put ``model`` in the table (no proxy: each model filters its own rows)."""
        old = self.table.selectionModel()
        self.table.setModel(model)  # None: no model
        if old is not None:
            old.deleteLater()

    def _size_columns(self) -> None:
        """Narrow number columns, room for a class name; the reason takes the rest."""
        digit = self.fontMetrics().horizontalAdvance("0")
        for column, chars in ((0, 4), (1, 5), (SCORE_COLUMN, 5), (LABEL_COLUMN, 13)):
            self.table.setColumnWidth(column, digit * chars + 16)

    def _refresh_title(self) -> None:
        s = self._session
        # before any round there is no score and every reason would read "import order"
        no_round = s is None or s.round is None
        suspects = self._model is not None and self._model.suspects is not None
        self.second_read_button.setVisible(suspects)
        self.second_read_button.setEnabled(suspects and bool(self.visible_ids()))
        listing = self._model is not None and self._model.disagreements
        self.table.setColumnHidden(SCORE_COLUMN, (no_round or listing) and not suspects)
        self.table.setColumnHidden(REASON_COLUMN, no_round and not listing and not suspects)
        if s is None:
            self.title.setText("No project open")
        elif suspects:
            count = len(self.visible_ids())
            self.title.setText(f"{count} suspected label error{'s' if count != 1 else ''} "
                               "from the latest label check · none relabeled")
        elif listing:
            ids = self.visible_ids()
            open_ = sum(1 for i in ids if (st := s.label_state(i)) is not None
                        and st.consensus is None)
            self.title.setText(f"Disagreements · {open_} open, {len(ids) - open_} settled")
        elif s.round is None:
            count = s.queue_length()
            self.title.setText(f"No round yet: {count} pool item{'s' if count != 1 else ''} "
                               "in import order")
        else:
            self.title.setText(f"Round {s.round.number} · {s.round.strategy} · "
                               f"{s.queue_length()} queued")

    def _refresh_budget(self) -> None:
        s = self._session
        given = s.labeled_items() if s is not None else 0
        budget = s.budget() if s is not None else None
        self.budget_spin.blockSignals(True)
        self.budget_spin.setValue(budget or 0)
        self.budget_spin.blockSignals(False)
        if budget:
            self.budget_bar.setRange(0, budget)
            self.budget_bar.setValue(min(given, budget))
            self.budget_bar.setFormat(f"{given} / {budget} labels")
        else:
            self.budget_bar.setRange(0, 1)
            self.budget_bar.setValue(0)
            self.budget_bar.setFormat(f"{given} labels (no budget set)")

    def _budget_edited(self, value: int) -> None:
        if self._session is not None:
            self._session.set_budget(value or None)

    # -- filters and navigation -------------------------------------------------------------
    def _filter_changed(self) -> None:
        key = str(self.filter_box.currentData() or "all")
        if self._session is not None and self._model is not None:
            # suspected label errors are mostly items of earlier rounds: rows of their own,
            # shown through the same model (another model in the view costs a relayout)
            suspects = SuspectsModel(self._session) if key == SUSPECTS_KEY else None
            self._model.show_rows(key, suspects)
        self._refresh_title()

    def set_filter(self, key: str) -> bool:
        """Choose a filter by key; False when this reader has no such filter."""
        index = self.filter_box.findData(key)
        if index >= 0:
            self.filter_box.setCurrentIndex(index)
        return index >= 0

    def visible_ids(self) -> list[int]:
        """Item ids of the rows the filter shows, in queue order: what Next/Previous walk.

        The model's own list, kept up to date by it (read it, do not change it).
        """
        if self._model is None or self._session is None:
            return []
        return self._model.ids

    def reload_suspects(self) -> None:
        """Show the latest label check's suspects (after a check has run)."""
        model = self._model
        if self.filter_box.currentData() == SUSPECTS_KEY and model is not None \
                and model.suspects is not None:
            model.suspects.reload()
            model.refresh_suspects()
            self._refresh_title()
        else:
            self.set_filter(SUSPECTS_KEY)

    def _row_clicked(self, index: QModelIndex) -> None:
        item_id = index.data(ITEM_ID_ROLE)
        if item_id is not None:
            self.item_chosen.emit(int(item_id))

    def _jump(self) -> None:
        text = self.jump_field.text().strip()
        if text.isdigit():
            self.item_chosen.emit(int(text))
            self.jump_field.clear()

    def focus_jump(self) -> None:
        self.jump_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.jump_field.selectAll()

    def show_current(self, item_id: int | None) -> None:
        """Highlight the shown item's row (without emitting ``item_chosen``)."""
        selection = self.table.selectionModel()
        if self._model is None or item_id is None:
            selection.clearSelection()
            return
        row = self._model.row_of(item_id)
        index = self._model.index(row, 0) if row >= 0 else None
        if index is None or not index.isValid():
            selection.clearSelection()
            return
        selection.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                         | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
