"""Label events and the queries that turn them into current labels.

Nothing here updates or deletes a label. Giving a label appends an event; undo appends a
retraction of the annotator's latest event. The current label, the disagreement between
annotators, the audit trail and the time statistics are all derived from the events, so the
full history is always there for an adjudicator or a study audit.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from typing import Any

from alstudio.errors import ProjectError
from alstudio.project.base import ProjectBase, encodable
from alstudio.project.connection import inserted_id, transaction
from alstudio.project.consensus import Standing, resolve
from alstudio.project.readers import settings_from_meta
from alstudio.project.records import ItemLabel, LabelEvent, Reading
from alstudio.project.timeutil import utc_now

DECISIONS = ("label", "skip", "unsure")

# each annotator's latest standing event per item; {where} narrows the items
_LATEST_EVENTS = """
SELECT e.item_id, e.id, a.name, a.role, e.decision, c.name, e.reason, e.note,
       e.seconds_spent, e.submitted_at
FROM label_events e
JOIN annotators a ON a.id = e.annotator_id
LEFT JOIN classes c ON c.id = e.class_id
WHERE e.id IN (
    SELECT MAX(e2.id) FROM label_events e2
    WHERE e2.id NOT IN (SELECT event_id FROM label_retractions) {where}
    GROUP BY e2.item_id, e2.annotator_id
)
ORDER BY e.id
"""


class LabelsMixin(ProjectBase):
    def add_label(
        self,
        item_id: int,
        annotator: str,
        class_name: str | None = None,
        *,
        decision: str = "label",
        started_at: str | None = None,
        seconds_spent: float | None = None,
        note: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Append one decision on an item; returns the new event's id.

        ``decision`` is 'label' (with ``class_name``), 'skip' or 'unsure'. ``seconds_spent`` is
        the *active* time the annotator spent on the item, measured by the caller. ``reason``
        is an adjudication's reason. Everything is checked before anything is written: a
        refused label leaves no new annotator behind.
        """
        if decision not in DECISIONS:
            raise ProjectError(f"Unknown decision {decision!r}; use one of {DECISIONS}.")
        if (decision == "label") != (class_name is not None):
            raise ProjectError("A 'label' decision needs a class; 'skip' and 'unsure' take none.")
        if seconds_spent is not None and not (math.isfinite(seconds_spent)
                                              and seconds_spent >= 0):
            raise ProjectError(f"Seconds spent must be a finite number >= 0, not "
                               f"{seconds_spent}.")
        if note:
            encodable(note, "note")
        class_id = self.class_id(class_name) if class_name is not None else None
        if self.db.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone() is None:
            raise ProjectError(f"No item {item_id} in this project.",
                               "List items with `alstudio items PROJECT`.")
        annotator_id = self.annotator_id(annotator)  # only once the label is known to be good
        with transaction(self.db):
            cur = self.db.conn.execute(
                "INSERT INTO label_events(item_id, annotator_id, decision, class_id, started_at, "
                "submitted_at, seconds_spent, note, reason) VALUES (?,?,?,?,?,?,?,?,?)",
                (item_id, annotator_id, decision, class_id, started_at, utc_now(),
                 seconds_spent, note or None, reason or None),
            )
        return inserted_id(cur)

    def undo_last_label(self, annotator: str) -> LabelEvent | None:
        """Retract the annotator's latest standing event; returns it, or None if none is left."""
        annotator_id = self.annotator_id(annotator)
        with transaction(self.db):
            row = self.db.conn.execute(
                "SELECT id FROM label_events WHERE annotator_id = ? AND id NOT IN "
                "(SELECT event_id FROM label_retractions) ORDER BY id DESC LIMIT 1",
                (annotator_id,),
            ).fetchone()
            if row is None:
                return None
            self.db.conn.execute(
                "INSERT INTO label_retractions(event_id, annotator_id, retracted_at) "
                "VALUES (?,?,?)", (row[0], annotator_id, utc_now()),
            )
        return self.label_event(row[0])

    def label_event(self, event_id: int) -> LabelEvent:
        rows = self._events("WHERE e.id = ?", (event_id,))
        if not rows:
            raise ProjectError(f"No label event {event_id}.")
        return rows[0]

    def label_history(self, item_id: int) -> list[LabelEvent]:
        """Every event on an item, oldest first, retracted ones included and marked."""
        return self._events("WHERE e.item_id = ?", (item_id,))

    def label_events(self) -> list[LabelEvent]:
        return self._events("", ())

    def _events(self, where: str, params: tuple[Any, ...]) -> list[LabelEvent]:
        sql = (
            "SELECT e.id, e.item_id, a.name, e.decision, c.name, e.started_at, e.submitted_at, "
            "e.seconds_spent, e.note, r.event_id IS NOT NULL, e.reason FROM label_events e "
            "JOIN annotators a ON a.id = e.annotator_id "
            "LEFT JOIN classes c ON c.id = e.class_id "
            f"LEFT JOIN label_retractions r ON r.event_id = e.id {where} ORDER BY e.id"
        )
        return [
            LabelEvent(id=r[0], item_id=r[1], annotator=r[2], decision=r[3], class_name=r[4],
                       started_at=r[5], submitted_at=r[6], seconds_spent=r[7], note=r[8],
                       retracted=bool(r[9]), reason=r[10])
            for r in self.db.execute(sql, params)
        ]

    def _standings(self, where: str = "", params: tuple[Any, ...] = ()) -> dict[int, list[Reading]]:
        """Each annotator's latest standing decision, per item, oldest first."""
        per_item: dict[int, list[Reading]] = defaultdict(list)
        for (item_id, event_id, name, role, decision, class_name, reason, note, seconds,
             submitted) in self.db.execute(_LATEST_EVENTS.format(where=where), params):
            per_item[item_id].append(Reading(
                event_id=event_id, annotator=name, role=role,
                choice=class_name if decision == "label" else decision, note=note,
                seconds_spent=seconds, submitted_at=submitted, reason=reason))
        return per_item

    def _item_label(self, item_id: int, readings: list[Reading], rule: str) -> ItemLabel:
        outcome = resolve([Standing(r.event_id, r.annotator, r.role, r.choice, r.reason)
                           for r in readings], rule)
        return ItemLabel(
            item_id=item_id, by_annotator={r.annotator: r.choice for r in readings},
            consensus=outcome.consensus, disagreement=outcome.disagreement,
            source=outcome.source, adjudication_reason=outcome.adjudication_reason)

    def current_labels(self) -> dict[int, ItemLabel]:
        """Every item that has a standing decision, with each annotator's latest one.

        Consensus: an adjudicator's class wins; otherwise the readers' classes decide by the
        project's consensus rule ('all' agree, or a 'majority'). Readers giving different
        classes are a disagreement, settled or not.
        """
        rule = settings_from_meta(self.meta()).consensus
        return {item_id: self._item_label(item_id, readings, rule)
                for item_id, readings in self._standings().items()}

    def current_label(self, item_id: int) -> ItemLabel | None:
        """One item's :meth:`current_labels` entry, read on its own (after one key press)."""
        readings = self.readings(item_id)
        if not readings:
            return None
        return self._item_label(item_id, readings, settings_from_meta(self.meta()).consensus)

    def readings(self, item_id: int) -> list[Reading]:
        """Each annotator's standing decision on one item, with note and time, oldest first.

        This reveals every reader's label: the labeling session shows it to an adjudicator,
        or to a reader once the item is adjudicated, never before.
        """
        return self._standings("AND e2.item_id = ?", (item_id,)).get(item_id, [])

    def training_labels(self) -> dict[int, str]:
        """Pool items with an agreed class: what the model may learn from."""
        pool = {r[0] for r in self.db.execute("SELECT id FROM items WHERE split = 'pool'")}
        return {item_id: state.consensus for item_id, state in self.current_labels().items()
                if state.consensus is not None and item_id in pool}

    def left_out_of_training(self) -> int:
        """Pool items whose readers disagree with no settled class (unadjudicated, or a tie
        under the majority rule): they stay out of training until adjudicated."""
        pool = {r[0] for r in self.db.execute("SELECT id FROM items WHERE split = 'pool'")}
        return sum(1 for item_id, state in self.current_labels().items()
                   if item_id in pool and state.disagreement and state.consensus is None)

    def label_counts(self) -> dict[str, int]:
        """Items per agreed class, plus 'skip', 'unsure' and 'disagreement' (unsettled)."""
        counts: dict[str, int] = {name: 0 for name in self.class_names()}
        counts.update({"skip": 0, "unsure": 0, "disagreement": 0})
        for state in self.current_labels().values():
            if state.consensus is not None:
                counts[state.consensus] += 1
            elif state.disagreement:
                counts["disagreement"] += 1
            elif "unsure" in state.by_annotator.values():
                counts["unsure"] += 1
            else:
                counts["skip"] += 1
        return counts

    def time_statistics(self) -> dict[str, dict[str, float]]:
        """Seconds spent per standing decision, per annotator: what a label costs."""
        per: dict[str, list[float]] = defaultdict(list)
        for event in self.label_events():
            if not event.retracted and event.seconds_spent is not None:
                per[event.annotator].append(event.seconds_spent)
        return {
            name: {"labels": len(v), "total_s": round(sum(v), 2),
                   "median_s": round(statistics.median(v), 2)}
            for name, v in per.items()
        }
