"""The rules of labeling, without Qt: one reader working one project's queue.

The CLI, the tests, the benchmarks and the window's labeling controller all call it
directly, so a class typed on the command line and a key pressed in the window go through
the same :func:`parse_choice` and the same :meth:`LabelingSession.give`. The GUI's signal
adapter only listens (:attr:`LabelingSession.listeners`) to tell its panels what changed.

What a reader sees is theirs alone: :meth:`LabelingSession.status` is the reader's own
decision, and another reader's label or note is shown (:meth:`LabelingSession.readings`)
only to an adjudicator, or to anyone once the item is adjudicated. Blind mode extends from
the model to the other readers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from alstudio.errors import ProjectError
from alstudio.project import (
    ClassInfo,
    Item,
    ItemLabel,
    LabelEvent,
    Project,
    QueueEntry,
    Reading,
    RoundInfo,
)
from alstudio.project.consensus import ADJUDICATOR, NOT_CLASSES
from alstudio.project.readers import ReadingSettings, required_reads

BUDGET_KEY = "label_budget"
NO_ROUND_REASON = "import order (no round yet)"
DECISION_WORDS = NOT_CLASSES
ADJUDICATION_REASONS = ("reader error", "ambiguous image", "guideline clarified", "other")
ORDINALS = {2: "Second", 3: "Third"}

log = logging.getLogger(__name__)


def parse_choice(text: str, classes: Sequence[ClassInfo]) -> str:
    """A class name (any case), a class key ('1'-'9'), 'skip' or 'unsure' -> the class's own
    name, 'skip' or 'unsure'. The one rule for the window and the command line."""
    raw = text.strip()
    low = raw.lower()
    if low in DECISION_WORDS:
        return low
    for cls in classes:
        if cls.name.lower() == low:
            return cls.name
    for cls in classes:
        if cls.shortcut is not None and cls.shortcut == raw:
            return cls.name
    keys = ", ".join(f"{c.shortcut}={c.name}" if c.shortcut else c.name for c in classes)
    raise ProjectError(f"No class {raw!r} in this project.",
                       f"Give a class name or key ({keys or 'none'}), skip or unsure.")


def parse_reason(text: str) -> str:
    """An adjudication reason: one of :data:`ADJUDICATION_REASONS`, optionally followed by
    ': more text'; 'other' needs the text. Returns it as stored, e.g. 'other: cropped view'."""
    kind, _, more = text.partition(":")
    kind = " ".join(kind.replace("_", " ").replace("-", " ").lower().split())
    more = more.strip()
    if kind not in ADJUDICATION_REASONS:
        raise ProjectError(f"Unknown adjudication reason {text.strip()!r}.",
                           f"Use one of: {', '.join(ADJUDICATION_REASONS)} (other: TEXT).")
    if kind == "other" and not more:
        raise ProjectError("The reason 'other' needs a few words.",
                           "Write it as 'other: what was decided and why'.")
    return f"{kind}: {more}" if more else kind


class LabelingSession:
    """One reader on one open project: the queue they work, where each item stands for them,
    give / undo, the label budget, and (for an adjudicator) the disagreements.

    Opening a session writes nothing: a reader joins the project with their first label.
    After a give or an undo only that item is read back, never every label.
    """

    def __init__(self, project: Project, reader: str) -> None:
        self.project = project
        self.reader = reader.strip()
        if not self.reader:
            raise ProjectError("A reader needs a name.", "Pass --annotator NAME.")
        self.classes: list[ClassInfo] = project.classes()
        self.round: RoundInfo | None = None
        self._entries: list[QueueEntry] | None = None
        self._entry_by_item: dict[int, QueueEntry] = {}
        self._queue_ids: list[int] = []
        self._position: dict[int, int] = {}
        self._items: dict[int, Item] = {}
        self._labels: dict[int, ItemLabel] = {}
        self._planned: dict[int, int] = {}
        self._role_of: dict[str, str] = {}
        self._labeled = 0
        self.settings = ReadingSettings()
        self.role = "annotator"
        #: Called with an item's id once a give or an undo has changed it (and it is read
        #: back): how a front end learns of a change without wrapping every write.
        self.listeners: list[Callable[[int], None]] = []
        self.reload_queue()  # reads the labels too

    # -- identity ---------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.project.path

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def can_adjudicate(self) -> bool:
        return self.role == ADJUDICATOR

    def close(self) -> None:
        self.project.close()

    def attach(self, project: Project) -> None:
        """Work on ``project`` from now on: the same file opened on another connection.

        The window reads a session in a background thread (100,000 items take a few hundred
        milliseconds) on that thread's own connection, closes it there and hands the loaded
        session to the window's connection, since an SQLite connection belongs to the thread
        that opened it.
        """
        if Path(project.path).resolve() != Path(self.project.path).resolve():
            raise ProjectError(f"{project.path} is not the project this session read.",
                               "Open the session on the project itself.")
        self.project = project

    # -- loading ----------------------------------------------------------------------------
    def reload_labels(self) -> None:
        """Read every current label, the settings and the read plan (on open, after a round
        or an import; a key press reads one item instead)."""
        self.settings = self.project.reading_settings()
        self._role_of = {a.name: a.role for a in self.project.annotators()}
        self.role = self._role_of.get(self.reader, "annotator")
        self._labels = self.project.current_labels()
        self._planned = self.project.planned_reads()
        self._labeled = sum(1 for s in self._labels.values() if _has_class(s))

    def reload_queue(self) -> None:
        """The reader's queue: the latest round's queue plus every item sent for more reads,
        less the items other readers have finished (before any round: the pool in import
        order). Items this reader decided stay, so they can be revisited."""
        self.reload_labels()
        self.round = self.project.latest_round()
        given: dict[int, QueueEntry] = {}
        if self.round is not None:
            made = self.project.queue(self.round.id)
            ids = [e.item_id for e in made]
            given = {e.item_id: e for e in made}
        else:  # entries of the import order are made when asked: 100,000 objects cost 0.3 s
            ids = self.project.item_ids("pool")
        queued = set(ids)
        why = self.project.read_reasons()
        for item_id in self._planned:
            if item_id not in queued:
                ids.append(item_id)
                given[item_id] = QueueEntry(item_id=item_id, rank=len(ids), score=None,
                                            reason=why.get(item_id, ""))
        labels, planned = self._labels, self._planned
        self._queue_ids = [i for i in ids if (i not in labels and i not in planned)
                           or self.status(i) is not None or self.needs_reads(i)]
        self._entry_by_item = given
        self._entries = None
        self._position = {item_id: n + 1 for n, item_id in enumerate(self._queue_ids)}

    @property
    def entries(self) -> list[QueueEntry]:
        """The queue's entries in order (made on first use after a reload; the window asks
        for :meth:`entry`, :meth:`queue_ids` and :meth:`queue_length` instead)."""
        if self._entries is None:
            entry = self.entry
            self._entries = [e for e in map(entry, self._queue_ids) if e is not None]
        return self._entries

    def queue_length(self) -> int:
        """How many items the queue holds."""
        return len(self._queue_ids)

    # -- the queue --------------------------------------------------------------------------
    def entry(self, item_id: int) -> QueueEntry | None:
        """A queued item's entry: the round's, or (before any round) its import order."""
        found = self._entry_by_item.get(item_id)
        if found is None and self.round is None:
            at = self._position.get(item_id)
            if at is not None:
                return QueueEntry(item_id=item_id, rank=at, score=None, reason=NO_ROUND_REASON)
        return found if item_id in self._position else None

    def position(self, item_id: int) -> int | None:
        """Where an item stands in the queue, from 1 (stored ranks may count from 0)."""
        return self._position.get(item_id)

    def queue_ids(self) -> list[int]:
        """The queued item ids in order: a new list each call (built once per reload), so a
        caller may keep or change it; at 100,000 queued items it costs a copy, not a walk."""
        return list(self._queue_ids)

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
        """The first queued item after ``after`` (wrapping around) this reader has not
        decided on yet."""
        ids = self._queue_ids
        start = self._position.get(after, 0) if after is not None else 0
        for n in range(len(ids)):  # no copy of the queue: a key press at 100,000 items
            item_id = ids[(start + n) % len(ids)]
            if self.status(item_id) is None:
                return item_id
        return None

    # -- where items stand ------------------------------------------------------------------
    def status(self, item_id: int) -> str | None:
        """This reader's standing decision: a class name, 'skip', 'unsure' or None."""
        state = self._labels.get(item_id)
        return None if state is None else state.by_annotator.get(self.reader)

    def statuses(self) -> dict[int, str]:
        return {item_id: state.by_annotator[self.reader] for item_id, state in
                self._labels.items() if self.reader in state.by_annotator}

    def labeled_items(self) -> int:
        """Items with a class from anyone: what the label budget counts."""
        return self._labeled

    def _reader_classes(self, item_id: int) -> list[str]:
        """The classes readers (not adjudicators) gave, oldest reader first."""
        state = self._labels.get(item_id)
        if state is None:
            return []
        return [v for name, v in state.by_annotator.items()
                if v not in DECISION_WORDS and self._role_of.get(name) != ADJUDICATOR]

    def required_reads(self, item_id: int) -> int:
        """Readers this item needs: 1, 2 when sent for a second read, 3 to break a tie."""
        return required_reads(self._planned.get(item_id, 1), self._reader_classes(item_id),
                              self.settings.third_read_ties)

    def needs_reads(self, item_id: int) -> bool:
        """Whether the item still wants a reader's class (and is not adjudicated)."""
        state = self._labels.get(item_id)
        if state is not None and state.source == "adjudicated":
            return False
        return len(self._reader_classes(item_id)) < self.required_reads(item_id)

    def read_note(self, item_id: int) -> str | None:
        """What the label panel says about double reading, without revealing anyone's label:
        None for a plain single read, and for an adjudicator (who sees the readers)."""
        needed = self.required_reads(item_id)
        if needed < 2 or self.can_adjudicate:
            return None
        others = self._others(item_id)
        if self.status(item_id) is None and others:
            ordinal = ORDINALS.get(len(others) + 1, f"Read {len(others) + 1}")
            tie = " to break a tie" if needed == 3 and len(others) == 2 else ""
            return (f"{ordinal} read{tie}: {len(others)} other reader"
                    f"{'s' if len(others) != 1 else ''} read this item; their labels stay "
                    "hidden until it is adjudicated.")
        return f"Double reading: this item is read by {needed} readers, each blind to the rest."

    def _others(self, item_id: int) -> list[str]:
        state = self._labels.get(item_id)
        return [] if state is None else [
            name for name, v in state.by_annotator.items() if name != self.reader
            and v not in DECISION_WORDS and self._role_of.get(name) != ADJUDICATOR]

    # -- disagreements ----------------------------------------------------------------------
    def disagreements(self) -> list[int]:
        """Items whose readers gave different classes: unsettled ones first, then the
        adjudicated; each group by item id. Empty for a reader who may not see them."""
        if not self.can_adjudicate:
            return []
        found = [s for s in self._labels.values() if s.disagreement]
        return [s.item_id for s in sorted(found, key=lambda s: (s.consensus is not None,
                                                                 s.item_id))]

    def label_state(self, item_id: int) -> ItemLabel | None:
        """Where an item stands for everyone, only when this reader may see it."""
        return self._labels.get(item_id) if self.may_see_readings(item_id) else None

    def may_see_readings(self, item_id: int) -> bool:
        state = self._labels.get(item_id)
        return self.can_adjudicate or (state is not None and state.source == "adjudicated")

    def readings(self, item_id: int) -> list[Reading]:
        """Every reader's standing decision, note and time on an item: for an adjudicator,
        or once the item is adjudicated; otherwise a refusal (blind reading)."""
        if not self.may_see_readings(item_id):
            raise ProjectError("Other readers' labels stay hidden until the item is "
                               "adjudicated.", "Ask an adjudicator to settle it.")
        return self.project.readings(item_id)

    # -- deciding ---------------------------------------------------------------------------
    def give(self, item_id: int, reader: str, choice: str, seconds: float | None = None,
             note: str | None = None, *, reason: str | None = None,
             started_at: str | None = None) -> int:
        """Record ``reader``'s class, 'skip' or 'unsure' on an item; returns the event id.

        An adjudicator settling a disagreement with a class must give a ``reason`` (see
        :func:`parse_reason`); the adjudication then goes in the audit log too. Everything
        is checked before anything is written.
        """
        reader = reader.strip()
        if not reader:
            raise ProjectError("A reader needs a name.", "Pass --annotator NAME.")
        if not self.has_item(item_id):
            raise ProjectError(f"No item {item_id} in this project.",
                               "List items with `alstudio items PROJECT`.")
        decided = parse_choice(choice, self.classes)
        role = self.project.annotator_role(reader) or "annotator"
        state = self.project.current_label(item_id)
        stored_reason = None
        if reason is not None and reason.strip():
            if role != ADJUDICATOR:
                raise ProjectError(f"{reader} is a reader, not an adjudicator: only an "
                                   "adjudication takes a reason.",
                                   "Make them one with `alstudio settings PROJECT "
                                   f"--adjudicator {reader}`.")
            stored_reason = parse_reason(reason)
        if role == ADJUDICATOR and decided not in DECISION_WORDS and stored_reason is None \
                and state is not None and state.disagreement:
            raise ProjectError(f"Item {item_id} is a disagreement: an adjudication needs a "
                               "reason.", f"Give one of: {', '.join(ADJUDICATION_REASONS)}.")
        event_id = self.project.add_label(
            item_id, reader, None if decided in DECISION_WORDS else decided,
            decision=decided if decided in DECISION_WORDS else "label", started_at=started_at,
            seconds_spent=None if seconds is None else round(seconds, 3),
            note=(note or "").strip() or None, reason=stored_reason)
        if stored_reason is not None:
            self.project.audit(reader, "adjudicate", {
                "item": item_id, "class": decided, "reason": stored_reason, "event": event_id})
        self._role_of.setdefault(reader, role)
        log.info("label %s on item %d by %s (%.1f s)", decided, item_id, reader, seconds or 0.0)
        self._refresh_item(item_id)
        return event_id

    def undo(self, reader: str | None = None) -> LabelEvent | None:
        """Retract the reader's latest decision; None when there is nothing to undo."""
        event = self.project.undo_last_label(reader or self.reader)
        if event is not None:
            log.info("undo label event %d on item %d", event.id, event.item_id)
            self._refresh_item(event.item_id)
        return event

    def _refresh_item(self, item_id: int) -> None:
        """Read one item's current label back after a change to it, then tell listeners."""
        before = self._labels.pop(item_id, None)
        state = self.project.current_label(item_id)
        if state is not None:
            self._labels[item_id] = state
        self._labeled += _has_class(state) - _has_class(before)
        for listener in self.listeners:
            listener(item_id)

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

    # -- model output -----------------------------------------------------------------------
    def probabilities(self, item_id: int) -> list[tuple[ClassInfo, float]] | None:
        """The latest round's class probabilities for a queued item, in class order."""
        entry = self._entry_by_item.get(item_id)
        if entry is None or not entry.probs or len(entry.probs) != len(self.classes):
            return None
        return list(zip(self.classes, entry.probs, strict=True))


def _has_class(state: ItemLabel | None) -> bool:
    return state is not None and any(v not in DECISION_WORDS
                                     for v in state.by_annotator.values())
