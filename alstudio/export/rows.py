"""One row per item: where it lies, where it stands, and what the readers and the model said.

Every format starts from these rows, so a CSV, a MONAI datalist and a folder-per-class tree
of one project always agree on which items are labeled and with what.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from alstudio.export.common import STATUSES
from alstudio.project import Item, ItemLabel, Project

_LATEST_SECONDS = """
SELECT e.item_id, a.name, e.seconds_spent FROM label_events e
JOIN annotators a ON a.id = e.annotator_id
WHERE e.id IN (
    SELECT MAX(e2.id) FROM label_events e2
    WHERE e2.id NOT IN (SELECT event_id FROM label_retractions)
    GROUP BY e2.item_id, e2.annotator_id
)
"""

_CHUNK = 900

_LATEST_QUEUE = """
SELECT q.item_id, r.number, q.probs FROM queue q JOIN rounds r ON r.id = q.round_id
ORDER BY r.number
"""


@dataclass(frozen=True)
class ExportRow:
    """An item as every export sees it. ``path`` and ``files`` are relative to ``root``."""

    item: Item
    status: str
    label: str | None
    label_source: str | None
    readers: dict[str, dict[str, Any]]  # name -> {"label": class|skip|unsure, "seconds"}
    adjudication_reason: str | None
    queued_in_round: int | None
    probabilities: dict[str, float] | None

    @property
    def item_id(self) -> int:
        """The item's id in the project."""
        return self.item.id

    @property
    def root(self) -> str:
        """The dataset root the item's paths are relative to."""
        return self.item.dataset_root

    def absolute_files(self) -> list[str]:
        """The item's files where they lie now."""
        return [os.path.join(self.item.dataset_root, f) for f in self.item.files]


def status_of(state: ItemLabel | None, files_present: bool) -> str:
    """The one status word that tells a deliberate label from no label.

    ``excluded``: the scan's files are no longer where the project says, so the item cannot
    be exported (it stays in the project). Then an agreed or adjudicated class, an open
    disagreement, an *unsure*
    from any reader, a *skip*, or nothing at all.
    """
    if not files_present:
        return "excluded"
    if state is None:
        return "unlabeled"
    if state.consensus is not None:  # agreed, or adjudicated (a settled disagreement)
        return "labeled"
    if state.disagreement:
        return "disagreement"
    if "unsure" in state.by_annotator.values():
        return "unsure"
    return "skipped"


def _present(item: Item, seen: dict[str, bool]) -> bool:
    """Whether the item's first file exists (cached: many items share one .npz archive)."""
    path = os.path.join(item.dataset_root, item.files[0]) if item.files else ""
    if path not in seen:
        seen[path] = bool(path) and os.path.exists(path)
    return seen[path]


def _candidates(project: Project, split: str | None, labels: dict[int, ItemLabel],
                statuses: tuple[str, ...] | None) -> list[Item]:
    """The items that may pass: only labeled ones when no wanted status fits an item
    without a label (the image formats at 100,000 items read 400 rows, not 100,000)."""
    if statuses is None or "unlabeled" in statuses or "excluded" in statuses:
        return project.items(split)
    ids = sorted(labels)
    found: list[Item] = []
    for start in range(0, len(ids), _CHUNK):  # under SQLite's limit on bound values
        found += project.items(split, ids=ids[start:start + _CHUNK])
    return sorted(found, key=lambda item: item.id)  # item order, as project.items gives


def build_rows(project: Project, split: str = "all", include_unlabeled: bool = False,
               statuses: tuple[str, ...] | None = None) -> list[ExportRow]:
    """Rows for the chosen split, in item order.

    ``statuses`` keeps only those statuses (the image formats want ``("labeled",)``);
    otherwise every status but ``unlabeled`` is kept, and ``unlabeled`` too when asked.
    """
    classes = project.class_names()
    labels = project.current_labels()
    seconds: dict[tuple[int, str], float | None] = {
        (item_id, name): sec for item_id, name, sec in project.db.execute(_LATEST_SECONDS)}
    queued: dict[int, tuple[int, str | None]] = {}
    for item_id, number, probs in project.db.execute(_LATEST_QUEUE):
        queued[item_id] = (number, probs)  # ordered by round: the latest round wins
    seen: dict[str, bool] = {}
    rows = []
    for item in _candidates(project, None if split == "all" else split, labels, statuses):
        state = labels.get(item.id)
        status = status_of(state, _present(item, seen))
        if statuses is not None:
            if status not in statuses:
                continue
        elif status == "unlabeled" and not include_unlabeled:
            continue
        readers = {
            name: {"label": value, "seconds": seconds.get((item.id, name))}
            for name, value in sorted((state.by_annotator if state else {}).items())}
        round_number, probs_text = queued.get(item.id, (None, None))
        probabilities = None
        if probs_text:
            values = json.loads(probs_text)
            if len(values) == len(classes):
                probabilities = {c: float(p) for c, p in zip(classes, values, strict=True)}
        rows.append(ExportRow(
            item=item, status=status,
            label=state.consensus if state is not None and status == "labeled" else None,
            label_source=state.source if state is not None and status == "labeled" else None,
            readers=readers,
            adjudication_reason=state.adjudication_reason if state is not None else None,
            queued_in_round=round_number, probabilities=probabilities))
    return rows


def counts(rows: list[ExportRow]) -> dict[str, dict[str, int]]:
    """Rows per status and labeled rows per class: the manifest's ``counts``."""
    by_status = dict.fromkeys(STATUSES, 0)
    by_status.update(Counter(r.status for r in rows))
    by_class = Counter(r.label for r in rows if r.label is not None)
    return {"status": by_status, "class": dict(sorted(by_class.items()))}
