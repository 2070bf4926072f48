"""Reads as agreement sees them, reads brought in from elsewhere, and doubted labels.

A *read* is one annotator's standing (latest, not retracted) decision on one item. The
agreement statistics, the CSV import of earlier reads and the suspected-label-error list all
work from these queries; none of them changes a label: imported reads are appended as events
like any other, and a suspected error is only a note for a second read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from alstudio.errors import ProjectError
from alstudio.project.base import ProjectBase
from alstudio.project.connection import transaction
from alstudio.project.consensus import Standing, resolve
from alstudio.project.readers import settings_from_meta
from alstudio.project.timeutil import utc_now

_STANDING_READS = """
SELECT e.item_id, a.name, a.role, e.decision, c.name, e.seconds_spent, e.id
FROM label_events e
JOIN annotators a ON a.id = e.annotator_id
LEFT JOIN classes c ON c.id = e.class_id
WHERE e.id IN (
    SELECT MAX(e2.id) FROM label_events e2
    WHERE NOT EXISTS (SELECT 1 FROM label_retractions r WHERE r.event_id = e2.id)
    GROUP BY e2.item_id, e2.annotator_id
)
ORDER BY e.item_id, e.id
"""


def _rowid(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just wrote."""
    if cursor.lastrowid is None:
        raise ProjectError("The project file did not record a new row.")
    return int(cursor.lastrowid)


@dataclass(frozen=True)
class Read:
    """One annotator's standing decision on one item."""

    item_id: int
    annotator: str
    role: str
    decision: str  # 'label' | 'skip' | 'unsure'
    class_name: str | None
    seconds_spent: float | None
    event_id: int = 0


@dataclass(frozen=True)
class ImportedRead:
    """A read from outside (a CSV of earlier reads), with the key that makes it unique."""

    item_id: int
    annotator: str
    decision: str
    class_name: str | None
    seconds_spent: float | None
    note: str | None
    origin: str  # stable key: the same read imported twice has the same origin


@dataclass(frozen=True)
class SuspectedLabelError:
    """An item whose given label the model's out-of-sample probabilities contradict."""

    item_id: int
    given_class: str
    probs: tuple[float, ...]  # class order of the project
    score: float  # label quality in [0, 1]: the lower, the more the model doubts the label
    run_id: int
    found_at: str


class ReadsMixin(ProjectBase):
    @property
    def workstation_id(self) -> str:
        """This file's workstation id: merged-in work records the id of the file it came from."""
        return self.meta()["workstation_id"]

    def standing_reads(self) -> list[Read]:
        """Every annotator's latest, unretracted decision on every item they decided."""
        return [Read(*row) for row in self.db.execute(_STANDING_READS)]

    def known_origins(self) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT origin FROM label_events WHERE origin IS NOT NULL")}

    def add_imported_reads(self, reads: Sequence[ImportedRead],
                           roles: dict[str, str] | None = None) -> int:
        """Append reads from outside in one transaction; returns how many were new.

        A read whose ``origin`` is already stored is left out, so importing the same file twice
        adds nothing. ``roles`` gives the role of annotators created here.
        """
        roles = roles or {}
        classes = {name: cid for cid, name in self.db.execute("SELECT id, name FROM classes")}
        for name in {r.annotator for r in reads}:
            self.ensure_annotator(name, roles.get(name, "annotator"))
        annotators = {name: aid for aid, name in self.db.execute(
            "SELECT id, name FROM annotators")}
        now = utc_now()
        added = 0
        with transaction(self.db):
            for read in reads:
                if read.decision == "label" and read.class_name not in classes:
                    raise ProjectError(f"No class {read.class_name!r} in this project.")
                cur = self.db.conn.execute(
                    "INSERT INTO label_events(item_id, annotator_id, decision, class_id, "
                    "submitted_at, seconds_spent, note, origin) VALUES (?,?,?,?,?,?,?,?) "
                    "ON CONFLICT DO NOTHING",
                    (read.item_id, annotators[read.annotator], read.decision,
                     classes.get(read.class_name) if read.class_name else None, now,
                     read.seconds_spent, read.note or None, read.origin))
                added += cur.rowcount
        return added

    # -- suspected label errors ---------------------------------------------------------------
    def save_label_error_run(self, *, round_id: int | None, checked: int,
                             params: dict[str, Any],
                             errors: Sequence[tuple[int, str, Sequence[float], float]]) -> int:
        """Store one check: ``errors`` holds (item id, given class, probabilities, score)."""
        now = utc_now()
        with transaction(self.db):
            cur = self.db.conn.execute(
                "INSERT INTO label_error_runs(round_id, found_at, checked, params) "
                "VALUES (?,?,?,?)", (round_id, now, checked, json.dumps(params, sort_keys=True)))
            run_id = _rowid(cur)
            self.db.conn.executemany(
                "INSERT INTO suspected_label_errors(run_id, item_id, given_class, probs, score, "
                "found_at) VALUES (?,?,?,?,?,?)",
                [(run_id, item_id, given, json.dumps([round(float(p), 6) for p in probs]),
                  float(score), now) for item_id, given, probs, score in errors])
            self.db.conn.execute(
                "INSERT INTO audit_log(at, actor, action, details) VALUES (?,?,?,?)",
                (now, "alstudio", "label-errors",
                 json.dumps({"run": run_id, "checked": checked, "suspected": len(errors)})))
        return run_id

    def latest_label_error_run(self) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT id, round_id, found_at, checked, params FROM label_error_runs "
            "ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        return {"id": row[0], "round_id": row[1], "found_at": row[2], "checked": row[3],
                "params": json.loads(row[4])}

    def suspected_label_errors(self, still_standing: bool = True) -> list[SuspectedLabelError]:
        """The latest check's suspects, most doubted first.

        With ``still_standing`` an item drops out once its agreed label is no longer the one
        the check doubted (a reader relabeled it, or an adjudicator settled it otherwise).
        """
        run = self.latest_label_error_run()
        if run is None:
            return []
        suspects = [SuspectedLabelError(item_id=r[0], given_class=r[1],
                                        probs=tuple(json.loads(r[2])), score=r[3],
                                        run_id=run["id"], found_at=r[4])
                    for r in self.db.execute(
                        "SELECT item_id, given_class, probs, score, found_at "
                        "FROM suspected_label_errors WHERE run_id = ? ORDER BY score, item_id",
                        (run["id"],))]
        if not still_standing:
            return suspects
        agreed = agreed_labels(self.standing_reads(), settings_from_meta(self.meta()).consensus)
        return [s for s in suspects if agreed.get(s.item_id) == s.given_class]


def agreed_labels(reads: Sequence[Read], rule: str = "all") -> dict[int, str]:
    """Each item's agreed class under the project's consensus ``rule``: the same resolution
    as ``current_labels``, over reads already in memory."""
    per_item: dict[int, list[Standing]] = {}
    for read in reads:
        per_item.setdefault(read.item_id, []).append(Standing(
            event_id=read.event_id, annotator=read.annotator, role=read.role,
            choice=read.class_name if read.class_name is not None else read.decision))
    agreed = {}
    for item_id, standings in per_item.items():
        consensus = resolve(standings, rule).consensus
        if consensus is not None:
            agreed[item_id] = consensus
    return agreed
