"""The open project as the GUI sees it: one connection on the GUI thread, the annotator, the
queue being labeled and where each queued item stands.

Panels read from here and listen to its signals instead of querying the project themselves,
so a label given by a key press updates the queue table, the budget bar and the status bar
from one place. Background jobs never use this connection (SQLite connections belong to one
thread); they open the project from :attr:`ProjectSession.path` and the session reloads
when they finish.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from alstudio.errors import ProjectError
from alstudio.project import ClassInfo, Item, LabelEvent, Project, QueueEntry, RoundInfo

log = logging.getLogger(__name__)

BUDGET_KEY = "label_budget"
NO_ROUND_REASON = "import order (no round yet)"
DECISION_WORDS = ("skip", "unsure")


class ProjectSession(QObject):
    """Signals: ``labels_changed`` after a label or an undo, ``queue_changed`` when a new
    round's queue is loaded, ``budget_changed`` when the label budget is edited."""

    labels_changed = Signal()
    queue_changed = Signal()
    budget_changed = Signal()

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator.strip()
        if project.read_only_reason is None:  # a read-only project is looked at, not joined
            project.ensure_annotator(self.annotator)
        self.classes: list[ClassInfo] = project.classes()
        self.round: RoundInfo | None = None
        self.entries: list[QueueEntry] = []
        self._entry_by_item: dict[int, QueueEntry] = {}
        self._position: dict[int, int] = {}
        self._status: dict[int, str] = {}
        self._items: dict[int, Item] = {}
        self._labeled_items = 0
        self.reload_queue(emit=False)
        self._reload_status()

    # -- identity ---------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.project.path

    @property
    def name(self) -> str:
        return self.project.name

    def close(self) -> None:
        self.project.close()

    # -- queue ------------------------------------------------------------------------------
    def reload_queue(self, emit: bool = True) -> None:
        """The latest round's queue; before any round, the unlabeled pool in import order
        (no model has ranked anything yet, so no score and no prediction)."""
        self.round = self.project.latest_round()
        if self.round is not None:
            self.entries = self.project.queue(self.round.id)
        else:
            labeled = set(self.project.current_labels())
            pool = [i for i in self.project.item_ids("pool") if i not in labeled]
            self.entries = [QueueEntry(item_id=item_id, rank=n + 1, score=None,
                                       reason=NO_ROUND_REASON)
                            for n, item_id in enumerate(pool)]
        self._entry_by_item = {e.item_id: e for e in self.entries}
        self._position = {e.item_id: n + 1 for n, e in enumerate(self.entries)}
        if emit:
            self.queue_changed.emit()

    def entry(self, item_id: int) -> QueueEntry | None:
        return self._entry_by_item.get(item_id)

    def position(self, item_id: int) -> int | None:
        """Where an item stands in the queue, from 1 (stored ranks may count from 0)."""
        return self._position.get(item_id)

    def queue_ids(self) -> list[int]:
        return [e.item_id for e in self.entries]

    def item(self, item_id: int) -> Item:
        cached = self._items.get(item_id)
        if cached is None:
            cached = self._items[item_id] = self.project.item(item_id)
        return cached

    def has_item(self, item_id: int) -> bool:
        try:
            self.item(item_id)
        except ProjectError:
            return False
        return True

    def next_unlabeled(self, after: int | None) -> int | None:
        """The first queued item after ``after`` (wrapping around) this annotator has not
        decided on yet."""
        ids = self.queue_ids()
        if not ids:
            return None
        start = ids.index(after) + 1 if after in self._entry_by_item else 0
        for item_id in ids[start:] + ids[:start]:
            if item_id not in self._status:
                return item_id
        return None

    # -- labels -----------------------------------------------------------------------------
    def status(self, item_id: int) -> str | None:
        """This annotator's standing decision: a class name, 'skip', 'unsure' or None."""
        return self._status.get(item_id)

    def statuses(self) -> dict[int, str]:
        return dict(self._status)

    def labeled_items(self) -> int:
        """Items with a class from anyone: what the label budget counts."""
        return self._labeled_items

    def _reload_status(self) -> None:
        current = self.project.current_labels()
        self._status = {item_id: state.by_annotator[self.annotator]
                        for item_id, state in current.items()
                        if self.annotator in state.by_annotator}
        self._labeled_items = sum(
            1 for state in current.values()
            if any(v not in DECISION_WORDS for v in state.by_annotator.values()))

    def give(self, item_id: int, choice: str, *, note: str = "", seconds_spent: float | None,
             started_at: str | None) -> int:
        """Record a class name, 'skip' or 'unsure' for ``item_id``; returns the event id."""
        decision = choice if choice in DECISION_WORDS else "label"
        event_id = self.project.add_label(
            item_id, self.annotator, None if decision != "label" else choice,
            decision=decision, started_at=started_at,
            seconds_spent=None if seconds_spent is None else round(seconds_spent, 3),
            note=note.strip() or None)
        log.info("label %s on item %d by %s (%.1f s)", choice, item_id, self.annotator,
                 seconds_spent or 0.0)
        self._reload_status()
        self.labels_changed.emit()
        return event_id

    def undo(self) -> LabelEvent | None:
        """Retract this annotator's latest decision; None when there is nothing to undo."""
        event = self.project.undo_last_label(self.annotator)
        if event is not None:
            log.info("undo label event %d on item %d", event.id, event.item_id)
            self._reload_status()
            self.labels_changed.emit()
        return event

    # -- budget -----------------------------------------------------------------------------
    def budget(self) -> int | None:
        raw = self.project.meta().get(BUDGET_KEY)
        try:
            value = int(raw) if raw else 0
        except ValueError:
            return None
        return value if value > 0 else None

    def set_budget(self, budget: int | None) -> None:
        self.project.set_meta(BUDGET_KEY, str(budget or 0))
        self.budget_changed.emit()

    # -- model output -----------------------------------------------------------------------
    def probabilities(self, item_id: int) -> list[tuple[ClassInfo, float]] | None:
        """The latest round's class probabilities for a queued item, in class order."""
        entry = self._entry_by_item.get(item_id)
        if entry is None or not entry.probs or len(entry.probs) != len(self.classes):
            return None
        return list(zip(self.classes, entry.probs, strict=True))
