"""The ``csv`` and ``json`` formats: one row per item, every reader, the model's view.

The CSV is flat (one column per reader and per class probability) so that pandas or a
spreadsheet reads it as is; the JSON nests readers and probabilities (layout in the README).
"""

from __future__ import annotations

import csv
import json
from typing import Any

from alstudio.export.common import FormatResult
from alstudio.export.rows import ExportRow
from alstudio.export.writer import ExportWriter
from alstudio.jobs import CancelToken, ProgressCallback, check, report

JSON_LAYOUT_VERSION = 1
_BATCH = 1000


def row_as_json(row: ExportRow) -> dict[str, Any]:
    """One item as the JSON export writes it."""
    item = row.item
    return {
        "item_id": item.id, "path": item.path, "files": list(item.files),
        "member": item.member, "kind": item.kind, "content_hash": item.content_hash,
        "split": item.split, "modality": item.modality, "shape": list(item.shape),
        "status": row.status, "label": row.label, "label_source": row.label_source,
        "adjudication_reason": row.adjudication_reason, "readers": row.readers,
        "queued_in_round": row.queued_in_round, "probabilities": row.probabilities,
    }


def export_json(rows: list[ExportRow], writer: ExportWriter, *, project_name: str,
                classes: list[str], progress: ProgressCallback | None = None,
                cancel: CancelToken | None = None) -> FormatResult:
    """``labels.json``: the project's classes and readers, then one object per item.

    Written item by item, byte for byte what ``json.dumps(..., indent=2)`` of the whole
    document gives: at 100,000 items the document as one Python object and one string took
    700 MiB; streamed, the rows are all it holds.
    """
    readers = sorted({name for row in rows for name in row.readers})
    head = json.dumps({
        "layout": "alstudio-labels", "layout_version": JSON_LAYOUT_VERSION,
        "project": project_name, "classes": classes, "readers": readers},
        indent=2, ensure_ascii=False)
    with open(writer.path("labels.json"), "w", encoding="utf-8") as out:
        out.write(head[:-2])  # without the closing "\n}"
        out.write(',\n  "items": [' if rows else ',\n  "items": []')
        for n, row in enumerate(rows):
            if n % _BATCH == 0:
                check(cancel)
                report(progress, "json", n, len(rows))
            text = json.dumps(row_as_json(row), indent=2, ensure_ascii=False)
            out.write(("\n    " if n == 0 else ",\n    ") + text.replace("\n", "\n    "))
        out.write("\n  ]\n}\n" if rows else "\n}\n")
    report(progress, "json", len(rows), len(rows))
    return FormatResult(written_items=len(rows))


def csv_columns(classes: list[str], readers: list[str]) -> list[str]:
    """The CSV header: item columns, then per reader label and seconds, then probabilities."""
    columns = ["item_id", "path", "member", "kind", "content_hash", "split", "modality",
               "status", "label", "label_source", "adjudication_reason", "queued_in_round"]
    for name in readers:
        columns += [f"reader.{name}.label", f"reader.{name}.seconds"]
    columns += [f"prob.{c}" for c in classes]
    return columns


def export_csv(rows: list[ExportRow], writer: ExportWriter, *, classes: list[str],
               progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> FormatResult:
    """``labels.csv``: UTF-8, comma-separated, a header row, empty cells for missing values."""
    readers = sorted({name for row in rows for name in row.readers})
    with open(writer.path("labels.csv"), "w", encoding="utf-8", newline="") as fh:
        _write_csv(csv.writer(fh, lineterminator="\n"), rows, classes, readers, progress,
                   cancel)
    report(progress, "csv", len(rows), len(rows))
    return FormatResult(written_items=len(rows))


def _write_csv(out: Any, rows: list[ExportRow], classes: list[str], readers: list[str],
               progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
    """The header and one line per row, straight to the file (no copy in memory)."""
    out.writerow(csv_columns(classes, readers))
    for n, row in enumerate(rows):
        if n % _BATCH == 0:
            check(cancel)
            report(progress, "csv", n, len(rows))
        item = row.item
        cells: list[Any] = [item.id, item.path, item.member, item.kind, item.content_hash,
                            item.split, item.modality, row.status, row.label,
                            row.label_source, row.adjudication_reason, row.queued_in_round]
        for name in readers:
            given = row.readers.get(name)
            cells += [given["label"], given["seconds"]] if given else [None, None]
        probs = row.probabilities or {}
        cells += [probs.get(c) for c in classes]
        out.writerow(["" if c is None else c for c in cells])
