"""The ``folders`` format: one folder per class (torchvision's ImageFolder layout).

``train/<class>/`` holds labeled pool items, ``test/<class>/`` labeled test items; 2D images
are PNG at their native bit depth, volumes NIfTI (see :mod:`alstudio.export.images`).
"""

from __future__ import annotations

from alstudio.errors import ScanReadError
from alstudio.export.common import FormatResult
from alstudio.export.images import encode, stem_for
from alstudio.export.rows import ExportRow
from alstudio.export.writer import ExportWriter
from alstudio.jobs import CancelToken, ProgressCallback, check, report


def safe_name(name: str) -> str:
    """A class name usable as a folder name on every platform."""
    cleaned = "".join(c if c.isalnum() or c in "-_. " else "_" for c in name).strip(" .")
    return cleaned or "class"


def export_folders(rows: list[ExportRow], writer: ExportWriter, *,
                   progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> FormatResult:
    """Write each labeled item's pixels under ``<split>/<class>/``."""
    result = FormatResult()
    for n, row in enumerate(rows):
        check(cancel)
        report(progress, "images", n, len(rows))
        if row.label is None:
            continue
        try:
            encoded = encode(row)
        except ScanReadError as exc:
            result.leave_out(row.item_id, row.item.path, exc.reason)
            continue
        split = "train" if row.item.split == "pool" else "test"
        rel = writer.unique(f"{split}/{safe_name(row.label)}/{stem_for(row)}{encoded.suffix}")
        writer.write_bytes(rel, encoded.data)
        if encoded.note:
            result.warnings.append(f"item {row.item_id}: {encoded.note}")
        result.written_items += 1
    report(progress, "images", len(rows), len(rows))
    return result
