"""Several readers on one project: the reading settings and which items need more reads.

The settings live in the ``meta`` table; which items need a second read lives in
``read_requests`` (append-only, like the label events). A round sends a seeded sample of its
queue for a second read, plus any items passed to it (suspected label errors, say); an item
may also be sent for a second read at any time. An optional third read breaks a tie between
two readers.
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from alstudio.errors import ProjectError
from alstudio.project.base import ROLES, ProjectBase
from alstudio.project.connection import transaction
from alstudio.project.consensus import CONSENSUS_RULES
from alstudio.project.timeutil import utc_now

SECOND_READ_KEY = "second_read_fraction"
THIRD_READ_KEY = "third_read_ties"
CONSENSUS_KEY = "consensus"
SAMPLE_WHY = "second-read sample"
FLAGGED_WHY = "flagged for a second read"


@dataclass(frozen=True)
class ReadingSettings:
    """``second_read_fraction``: share of each round's queue read twice (0: single reading);
    ``third_read_ties``: a third reader breaks a tie between two; ``consensus``: 'all' or
    'majority' (see :data:`~alstudio.project.consensus.CONSENSUS_RULES`)."""

    second_read_fraction: float = 0.0
    third_read_ties: bool = False
    consensus: str = "all"


def settings_from_meta(meta: Mapping[str, str]) -> ReadingSettings:
    """The settings as stored; a value that does not parse reads as its default."""
    try:
        fraction = min(max(float(meta.get(SECOND_READ_KEY, "0")), 0.0), 1.0)
    except ValueError:
        fraction = 0.0
    consensus = meta.get(CONSENSUS_KEY, "all")
    return ReadingSettings(
        second_read_fraction=fraction,
        third_read_ties=meta.get(THIRD_READ_KEY, "off") == "on",
        consensus=consensus if consensus in CONSENSUS_RULES else "all",
    )


def plan_second_reads(queue_ids: Sequence[int], fraction: float, seed: int,
                      extra: Iterable[int] = ()) -> list[int]:
    """Items of a queue to read twice: a seeded sample of ``fraction`` of them (rounded up,
    so any fraction above 0 reads at least one) plus every id in ``extra``, in queue order
    then extra order. The same queue, fraction and seed always give the same sample."""
    ids = list(dict.fromkeys(queue_ids))
    count = min(len(ids), math.ceil(fraction * len(ids) - 1e-9)) if fraction > 0 else 0
    chosen = set(random.Random(seed).sample(sorted(ids), count))
    planned = [i for i in ids if i in chosen]
    return list(dict.fromkeys([*planned, *extra]))


def required_reads(planned: int, reader_classes: Sequence[str], third_read_ties: bool) -> int:
    """How many readers an item needs now: as planned, plus one when two readers tied and the
    project breaks ties with a third read."""
    if third_read_ties and planned == 2 and len(reader_classes) == 2 \
            and reader_classes[0] != reader_classes[1]:
        return 3
    return planned


def insert_round_reads(conn: sqlite3.Connection, round_id: int, seed: int,
                       queue_ids: Sequence[int], settings: ReadingSettings,
                       extra: Iterable[int] = (), extra_why: str = FLAGGED_WHY) -> int:
    """Write a round's second reads inside the round's own transaction; returns how many."""
    extra = list(extra)
    sample = plan_second_reads(queue_ids, settings.second_read_fraction, seed)
    rows = [(i, round_id, SAMPLE_WHY) for i in sample]
    rows += [(i, round_id, extra_why) for i in dict.fromkeys(extra) if i not in set(sample)]
    now = utc_now()
    conn.executemany(
        "INSERT INTO read_requests(item_id, reads, round_id, why, requested_at) "
        "VALUES (?, 2, ?, ?, ?)", [(i, r, why, now) for i, r, why in rows])
    return len(rows)


class ReadersMixin(ProjectBase):
    def reading_settings(self) -> ReadingSettings:
        return settings_from_meta(self.meta())

    def set_reading_settings(self, *, second_read_fraction: float | None = None,
                             third_read_ties: bool | None = None,
                             consensus: str | None = None, actor: str = "alstudio") -> None:
        """Change any of the settings; the change goes in the audit log."""
        changes: dict[str, str] = {}
        if second_read_fraction is not None:
            if not 0.0 <= second_read_fraction <= 1.0:
                raise ProjectError(f"The second-read fraction must lie in 0..1, not "
                                   f"{second_read_fraction}.", "Example: --second-read 0.2")
            changes[SECOND_READ_KEY] = repr(float(second_read_fraction))
        if third_read_ties is not None:
            changes[THIRD_READ_KEY] = "on" if third_read_ties else "off"
        if consensus is not None:
            if consensus not in CONSENSUS_RULES:
                raise ProjectError(f"Unknown consensus rule {consensus!r}.",
                                   f"Use one of: {', '.join(CONSENSUS_RULES)}.")
            changes[CONSENSUS_KEY] = consensus
        for key, value in changes.items():
            self.set_meta(key, value)
        if changes:
            self.audit(actor, "settings", changes)

    def set_annotator_role(self, name: str, role: str, actor: str = "alstudio") -> None:
        """Make an annotator (created when new) a reader ('annotator') or an adjudicator."""
        if role not in ROLES:
            raise ProjectError(f"Unknown role {role!r}.", f"Use one of: {', '.join(ROLES)}.")
        self.ensure_annotator(name, role)
        with transaction(self.db):
            self.db.conn.execute("UPDATE annotators SET role = ? WHERE name = ?",
                                 (role, name.strip()))
        self.audit(actor, "role", {"annotator": name.strip(), "role": role})

    def annotator_role(self, name: str) -> str | None:
        row = self.db.execute("SELECT role FROM annotators WHERE name = ?",
                              (name.strip(),)).fetchone()
        return None if row is None else str(row[0])

    def request_reads(self, item_ids: Iterable[int], *, reads: int = 2, why: str = FLAGGED_WHY,
                      actor: str = "alstudio") -> int:
        """Ask for ``reads`` readers on each item (e.g. a suspected label error); returns how
        many items were not already asked for that many."""
        wanted = list(dict.fromkeys(item_ids))
        known = {r[0] for r in self.db.execute("SELECT id FROM items")}
        missing = [i for i in wanted if i not in known]
        if missing:
            raise ProjectError(f"No item {missing[0]} in this project.")
        planned = self.planned_reads()
        new = [i for i in wanted if planned.get(i, 1) < reads]
        now = utc_now()
        with transaction(self.db):
            self.db.conn.executemany(
                "INSERT INTO read_requests(item_id, reads, round_id, why, requested_at) "
                "VALUES (?, ?, NULL, ?, ?)", [(i, reads, why, now) for i in new])
        if new:
            self.audit(actor, "request_reads", {"items": new, "reads": reads, "why": why})
        return len(new)

    def planned_reads(self) -> dict[int, int]:
        """Items asked for more than one read -> the most reads asked for."""
        return {int(i): int(n) for i, n in self.db.execute(
            "SELECT item_id, MAX(reads) FROM read_requests GROUP BY item_id")}

    def read_reasons(self) -> dict[int, str]:
        """Why each item was sent for more reads (the latest request's reason)."""
        return {int(i): str(why) for i, why in self.db.execute(
            "SELECT item_id, why FROM read_requests WHERE id IN "
            "(SELECT MAX(id) FROM read_requests GROUP BY item_id)")}
