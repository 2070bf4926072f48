"""What the labels cost: reader time from the label events.

Every event stores the active seconds a reader spent on the scan. The report shows the median
per reader and per class (medians, because one scan left open over lunch must not move the
figure), how the median changes from round to round, labels per active hour and the total
reader time. Retracted events (undone labels) and skip/unsure decisions count as time spent
but not as labels.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from alstudio.project.records import LabelEvent, RoundInfo


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _block(values: list[float], labels: int) -> dict[str, Any]:
    return {"labels": labels, "timed": len(values), "median_s": _median(values),
            "total_s": round(sum(values), 1)}


def annotation_cost(events: Sequence[LabelEvent], rounds: Sequence[RoundInfo]
                    ) -> dict[str, Any]:
    """Median seconds per label per reader, per class and per round interval; labels per
    active hour; total reader time (every timed event, skips and undone ones included).

    The interval of round N holds the labels given after round N-1 finished and before
    round N started ("before round 1" for the first; "since round N" after the last).
    """
    labels = [e for e in events if e.decision == "label" and not e.retracted]
    timed = [e for e in labels if e.seconds_spent is not None]
    spent = [e.seconds_spent for e in events if e.seconds_spent is not None]
    per_reader: dict[str, list[float]] = defaultdict(list)
    per_reader_n: dict[str, int] = defaultdict(int)
    per_class: dict[str, list[float]] = defaultdict(list)
    per_class_n: dict[str, int] = defaultdict(int)
    for e in labels:
        per_reader_n[e.annotator] += 1
        per_class_n[str(e.class_name)] += 1
        if e.seconds_spent is not None:
            per_reader[e.annotator].append(e.seconds_spent)
            per_class[str(e.class_name)].append(e.seconds_spent)
    seconds = [e.seconds_spent for e in timed if e.seconds_spent is not None]
    total_label_s = sum(seconds)
    return {
        "labels": len(labels),
        "timed_labels": len(timed),
        "total_reader_s": round(sum(s for s in spent if s is not None), 1),
        "median_s": _median(seconds),
        "labels_per_hour": round(3600.0 * len(timed) / total_label_s, 1)
        if total_label_s > 0 else None,
        "per_reader": {name: _block(per_reader[name], n) for name, n in per_reader_n.items()},
        "per_class": {name: _block(per_class[name], n) for name, n in per_class_n.items()},
        "over_time": _over_time(labels, rounds),
    }


def _over_time(labels: Sequence[LabelEvent], rounds: Sequence[RoundInfo]
               ) -> list[dict[str, Any]]:
    """Median seconds per label in each stretch between rounds (timestamps are UTC ISO
    strings of one format, so they compare as text)."""
    starts = [r.started_at for r in rounds]
    buckets: dict[int, list[LabelEvent]] = defaultdict(list)
    for e in labels:
        index = sum(1 for s in starts if s <= e.submitted_at)  # rounds started before it
        buckets[index].append(e)
    out = []
    for index in sorted(buckets):
        block = buckets[index]
        name = (f"before round {rounds[index].number}" if index < len(rounds)
                else f"since round {rounds[-1].number}" if rounds else "all")
        times = [e.seconds_spent for e in block if e.seconds_spent is not None]
        out.append({"interval": name, **_block(times, len(block))})
    return out
