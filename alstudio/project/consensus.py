"""How one item's standing decisions become the label a model may learn from.

Pure rules on plain records, no SQL: an adjudicator's class wins; otherwise the readers'
classes decide by the project's consensus rule. Skip and unsure are decisions, not classes:
they neither agree nor disagree with anyone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

CONSENSUS_RULES = ("all", "majority")
"""'all': every class-giving reader agrees (the default); 'majority': more than half do."""

SOURCES = ("adjudicated", "agreed", "majority", "single", "none")
"""Where a consensus came from; 'none' when there is no consensus (a disagreement left
unsettled, or only skip / unsure)."""

NOT_CLASSES = ("skip", "unsure")
ADJUDICATOR = "adjudicator"


@dataclass(frozen=True)
class Standing:
    """One annotator's latest standing decision on an item."""

    event_id: int
    annotator: str
    role: str
    choice: str  # a class name, 'skip' or 'unsure'
    reason: str | None = None


@dataclass(frozen=True)
class Resolution:
    consensus: str | None
    source: str
    disagreement: bool  # the readers (not the adjudicator) gave different classes
    adjudication_reason: str | None


def resolve(standings: Sequence[Standing], rule: str = "all") -> Resolution:
    """The consensus of one item's standing decisions under ``rule`` (see CONSENSUS_RULES)."""
    ordered = sorted(standings, key=lambda s: s.event_id)
    readers = [s.choice for s in ordered if s.role != ADJUDICATOR and s.choice not in NOT_CLASSES]
    disagreement = len(set(readers)) > 1
    adjudications = [s for s in ordered if s.role == ADJUDICATOR and s.choice not in NOT_CLASSES]
    if adjudications:
        last = adjudications[-1]
        return Resolution(last.choice, "adjudicated", disagreement, last.reason)
    if not readers:
        return Resolution(None, "none", False, None)
    if not disagreement:
        return Resolution(readers[0], "single" if len(readers) == 1 else "agreed", False, None)
    if rule == "majority":
        (top, votes), = Counter(readers).most_common(1)
        if votes * 2 > len(readers):
            return Resolution(top, "majority", True, None)
    return Resolution(None, "none", True, None)
