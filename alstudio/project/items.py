"""Dataset roots and items: where each scan lives and what it is, never its pixels."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from alstudio.errors import DamagedProjectError, ProjectError
from alstudio.project.base import ProjectBase
from alstudio.project.connection import inserted_id, transaction
from alstudio.project.records import Item, NewItem
from alstudio.project.timeutil import utc_now

SPLITS = ("pool", "test")

_ITEM_COLUMNS = (
    "items.id, datasets.root, items.path, items.kind, items.files, items.member, "
    "items.content_hash, items.split, items.modality, items.shape, items.spacing, "
    "items.series_uid, items.metadata, items.reference_label"
)


def _row_to_item(row: Sequence[Any]) -> Item:
    """An Item from its row; a row whose stored values do not decode is reported as damage."""
    try:
        spacing = json.loads(row[10]) if row[10] else None
        return Item(
            id=row[0], dataset_root=row[1], path=row[2], kind=row[3],
            files=tuple(json.loads(row[4])), member=row[5], content_hash=row[6], split=row[7],
            modality=row[8], shape=tuple(json.loads(row[9])),
            spacing=tuple(spacing) if spacing else None, series_uid=row[11],
            metadata=json.loads(row[12]), reference_label=row[13],
        )
    except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
        raise DamagedProjectError(
            f"The stored record of item {row[0]} is damaged ({type(exc).__name__}).",
            "Run `alstudio check PROJECT`; it names the newest good backup.") from exc


class ItemsMixin(ProjectBase):
    def dataset_root_id(self, root: Path) -> int:
        """The id of a dataset root, recording it on first use."""
        root_text = str(Path(root).resolve())
        row = self.db.execute("SELECT id FROM datasets WHERE root = ?", (root_text,)).fetchone()
        if row:
            return int(row[0])
        with transaction(self.db):
            cur = self.db.conn.execute(
                "INSERT INTO datasets(root, added_at) VALUES (?, ?)", (root_text, utc_now())
            )
        return inserted_id(cur)

    def dataset_roots(self) -> dict[int, str]:
        return {row[0]: row[1] for row in self.db.execute("SELECT id, root FROM datasets")}

    def move_dataset_root(self, old_root: str, new_root: Path) -> None:
        """Point a dataset at its new place after the user moved the scans."""
        with transaction(self.db):
            cur = self.db.conn.execute(
                "UPDATE datasets SET root = ? WHERE root = ?",
                (str(Path(new_root).resolve()), old_root),
            )
            if cur.rowcount != 1:
                raise ProjectError(f"No dataset root {old_root} in this project.")

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """Which of these content hashes are already in the project."""
        wanted = list(dict.fromkeys(hashes))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0] for row in self.db.execute(
                    f"SELECT content_hash FROM items WHERE content_hash IN ({marks})", chunk
                )
            )
        return found

    def add_items(self, dataset_id: int, new_items: Sequence[NewItem]) -> list[int | None]:
        """Store a batch of items in one transaction; returns each one's new id, or None for a
        duplicate.

        A duplicate is an item whose content hash is already stored (or repeats within the
        batch): the same scan imported twice would be labeled twice and counted twice.
        """
        ids: list[int | None] = []
        now = utc_now()
        with transaction(self.db):
            for item in new_items:
                if item.split not in SPLITS:
                    raise ProjectError(f"Unknown split {item.split!r}; use 'pool' or 'test'.")
                cur = self.db.conn.execute(
                    "INSERT INTO items(dataset_id, path, kind, files, member, content_hash, "
                    "split, modality, shape, spacing, series_uid, metadata, reference_label, "
                    "added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(content_hash) DO NOTHING",
                    (
                        dataset_id, item.path, item.kind, json.dumps(list(item.files)),
                        item.member, item.content_hash, item.split, item.modality,
                        json.dumps(list(item.shape)),
                        json.dumps(list(item.spacing)) if item.spacing else None,
                        item.series_uid, json.dumps(item.metadata, sort_keys=True),
                        item.reference_label, now,
                    ),
                )
                ids.append(inserted_id(cur) if cur.rowcount == 1 else None)
        return ids

    def item(self, item_id: int) -> Item:
        row = self.db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM items JOIN datasets ON datasets.id = items.dataset_id "
            "WHERE items.id = ?", (item_id,),
        ).fetchone()
        if row is None:
            raise ProjectError(f"No item {item_id} in this project.",
                               "List items with `alstudio items PROJECT`.")
        return _row_to_item(row)

    def items(self, split: str | None = None, ids: Sequence[int] | None = None) -> list[Item]:
        """Items in import order, optionally one split or a given set of ids."""
        sql = (f"SELECT {_ITEM_COLUMNS} FROM items "
               "JOIN datasets ON datasets.id = items.dataset_id")
        params: list[Any] = []
        clauses = []
        if split is not None:
            clauses.append("items.split = ?")
            params.append(split)
        if ids is not None:
            clauses.append(f"items.id IN ({','.join('?' * len(ids))})")
            params.extend(ids)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        rows = [_row_to_item(r) for r in self.db.execute(sql + " ORDER BY items.id", params)]
        if ids is not None:
            order = {item_id: n for n, item_id in enumerate(ids)}
            rows.sort(key=lambda item: order[item.id])
        return rows

    def item_ids(self, split: str | None = None) -> list[int]:
        if split is None:
            return [r[0] for r in self.db.execute("SELECT id FROM items ORDER BY id")]
        return [r[0] for r in self.db.execute(
            "SELECT id FROM items WHERE split = ? ORDER BY id", (split,))]

    def item_ids_added_after(self, timestamp: str, split: str = "pool") -> list[int]:
        """Items imported after ``timestamp`` (ISO UTC): the newcomers a stream round judges."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM items WHERE split = ? AND added_at > ? ORDER BY id",
            (split, timestamp))]

    def reference_labels(self, split: str) -> dict[int, int]:
        """Labels that came with the data (MedMNIST archives): for simulation and evaluation
        only, never shown to the annotator as a label."""
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT id, reference_label FROM items WHERE split = ? AND reference_label IS NOT "
            "NULL ORDER BY id", (split,))}

    def count_items(self) -> dict[str, int]:
        counts = dict.fromkeys(SPLITS, 0)
        for split, n in self.db.execute("SELECT split, COUNT(*) FROM items GROUP BY split"):
            counts[split] = n
        return counts

    def modalities(self) -> dict[str, int]:
        return {m or "unknown": n for m, n in self.db.execute(
            "SELECT modality, COUNT(*) FROM items GROUP BY modality ORDER BY 2 DESC")}
