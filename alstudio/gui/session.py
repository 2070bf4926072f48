"""The open project as the GUI sees it: a thin Qt adapter over the headless
:class:`~alstudio.project.session.LabelingSession`, which holds every labeling rule.

Panels read from here and listen to its signals instead of querying the project themselves,
so a label given by a key press updates the queue table, the budget bar and the status bar
from one place. Labels are not given through it: the labeling controller gives them on
:attr:`ProjectSession.core` and this adapter, one of the core's listeners, turns each change
into its signals. Background jobs never use this connection (SQLite connections belong to one
thread); they open the project from :attr:`ProjectSession.path` and the session reloads
when they finish.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from alstudio.project import (
    ClassInfo,
    Item,
    ItemLabel,
    Project,
    QueueEntry,
    Reading,
    RoundInfo,
)
from alstudio.project.session import BUDGET_KEY, DECISION_WORDS, NO_ROUND_REASON, LabelingSession

__all__ = ["BUDGET_KEY", "DECISION_WORDS", "NO_ROUND_REASON", "ProjectSession"]


class ProjectSession(QObject):
    """Signals: ``item_changed(item_id)`` and then ``labels_changed`` after a label or an
    undo (one item changed), ``queue_changed`` when a new round's queue is loaded,
    ``budget_changed`` when the label budget is edited."""

    item_changed = Signal(int)
    labels_changed = Signal()
    queue_changed = Signal()
    budget_changed = Signal()

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None,
                 core: LabelingSession | None = None) -> None:
        """``core``: the session already read (in the background, on ``project`` once
        attached); without it the reader joins and the session is read here."""
        super().__init__(parent)
        if core is None:
            if project.read_only_reason is None:  # a read-only project is looked at
                project.ensure_annotator(annotator)  # opening the window is how one joins
            core = LabelingSession(project, annotator)
        self.core = core
        self.core.listeners.append(self._changed)

    # -- identity and state, read from the headless session ---------------------------------
    @property
    def project(self) -> Project:
        return self.core.project

    @property
    def annotator(self) -> str:
        return self.core.reader

    @property
    def classes(self) -> list[ClassInfo]:
        return self.core.classes

    @property
    def round(self) -> RoundInfo | None:
        return self.core.round

    @property
    def entries(self) -> list[QueueEntry]:
        return self.core.entries

    @property
    def path(self) -> Path:
        return self.core.path

    @property
    def name(self) -> str:
        return self.core.name

    @property
    def can_adjudicate(self) -> bool:
        return self.core.can_adjudicate

    def close(self) -> None:
        self.core.close()

    def entry(self, item_id: int) -> QueueEntry | None:
        return self.core.entry(item_id)

    def position(self, item_id: int) -> int | None:
        return self.core.position(item_id)

    def queue_length(self) -> int:
        return self.core.queue_length()

    def queue_ids(self) -> list[int]:
        return self.core.queue_ids()

    def item(self, item_id: int) -> Item:
        return self.core.item(item_id)

    def has_item(self, item_id: int) -> bool:
        return self.core.has_item(item_id)

    def next_unlabeled(self, after: int | None) -> int | None:
        return self.core.next_unlabeled(after)

    def status(self, item_id: int) -> str | None:
        return self.core.status(item_id)

    def statuses(self) -> dict[int, str]:
        return self.core.statuses()

    def labeled_items(self) -> int:
        return self.core.labeled_items()

    def read_note(self, item_id: int) -> str | None:
        return self.core.read_note(item_id)

    def disagreements(self) -> list[int]:
        return self.core.disagreements()

    def label_state(self, item_id: int) -> ItemLabel | None:
        return self.core.label_state(item_id)

    def may_see_readings(self, item_id: int) -> bool:
        return self.core.may_see_readings(item_id)

    def readings(self, item_id: int) -> list[Reading]:
        return self.core.readings(item_id)

    def budget(self) -> int | None:
        return self.core.budget()

    def probabilities(self, item_id: int) -> list[tuple[ClassInfo, float]] | None:
        return self.core.probabilities(item_id)

    # -- changes, each followed by its signal -----------------------------------------------
    def reload_queue(self, emit: bool = True) -> None:
        """The latest round's queue for this reader (after a round or an import)."""
        self.core.reload_queue()
        if emit:
            self.queue_changed.emit()

    def set_budget(self, budget: int | None) -> None:
        self.core.set_budget(budget)
        self.budget_changed.emit()

    def _changed(self, item_id: int) -> None:
        """The core gave or undid a label on ``item_id``: one item's signal, then the tally's."""
        self.item_changed.emit(item_id)
        self.labels_changed.emit()
