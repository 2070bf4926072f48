"""The ``monai`` format: a decathlon-style datalist that ``monai.data.load_decathlon_datalist``
reads.

``training`` and ``validation`` hold labeled pool items (the validation part is a stratified,
seeded fraction per class), ``test`` the labeled test split; each entry is
``{"image": PATH, "label": CLASS_INDEX}`` and ``labels`` maps each index to its class name.

Where images lie: by default single files (PNG/JPEG/TIFF, NIfTI, one DICOM file) are
referenced by absolute path where they are. A DICOM *series* is always converted to one
NIfTI volume under ``images/``: a datalist entry must be one path that MONAI's ``LoadImage``
opens with its default readers, a folder may hold several series, and NIfTI carries the
spacing and orientation without needing ITK. Images inside an ``.npz`` archive have no file
of their own and are written as PNG. With ``copy``, every image is written under ``images/``
(DICOM files converted to PNG/NIfTI, so no patient identifiers travel with the copy) and
referenced relative to the datalist.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from alstudio.datasets.records import KIND_DICOM, KIND_DICOM_SERIES, KIND_NPZ
from alstudio.errors import ScanReadError
from alstudio.export.common import FormatResult
from alstudio.export.images import encode, stem_for
from alstudio.export.rows import ExportRow
from alstudio.export.writer import ExportWriter
from alstudio.jobs import CancelToken, ProgressCallback, check, report

DATALIST = "datalist.json"


def stratified_validation(rows: list[ExportRow], fraction: float, seed: int) -> set[int]:
    """Item ids drawn for validation: ``round(fraction * n)`` of each class, seeded."""
    by_class: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.label is not None and row.item.split == "pool":
            by_class[row.label].append(row.item_id)
    rng = random.Random(seed)
    chosen: set[int] = set()
    for name in sorted(by_class):
        ids = sorted(by_class[name])
        rng.shuffle(ids)
        chosen.update(ids[:round(fraction * len(ids))])
    return chosen


def _image_path(row: ExportRow, writer: ExportWriter, copy: bool,
                result: FormatResult) -> str:
    """The path the datalist names for an item, writing a file under images/ when needed."""
    kind = row.item.kind
    must_write = kind in (KIND_DICOM_SERIES, KIND_NPZ) or (copy and kind == KIND_DICOM)
    if not copy and not must_write:
        return row.absolute_files()[0]
    if copy and not must_write:
        source = row.absolute_files()[0]
        name = source.rsplit("/", 1)[-1]
        rel = writer.unique(f"images/{row.item_id:06d}-{name}")
        writer.copy_file(rel, source)
        return rel
    encoded = encode(row)
    if encoded.note:
        result.warnings.append(f"item {row.item_id}: {encoded.note}")
    rel = writer.unique(f"images/{stem_for(row)}{encoded.suffix}")
    writer.write_bytes(rel, encoded.data)
    return rel


def export_monai(rows: list[ExportRow], writer: ExportWriter, *, project_name: str,
                 classes: list[str], val_fraction: float, seed: int, copy: bool,
                 progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None) -> FormatResult:
    """Write ``datalist.json`` (and ``images/`` where files must be written)."""
    result = FormatResult()
    index = {name: i for i, name in enumerate(classes)}
    validation = stratified_validation(rows, val_fraction, seed)
    lists: dict[str, list[dict[str, Any]]] = {"training": [], "validation": [], "test": []}
    unlabeled: list[dict[str, Any]] = []
    for n, row in enumerate(rows):
        check(cancel)
        if n % 100 == 0:
            report(progress, "datalist", n, len(rows))
        if row.label is None and row.status != "unlabeled":
            continue
        try:
            image = _image_path(row, writer, copy, result)
        except (ScanReadError, OSError) as exc:
            reason = exc.reason if isinstance(exc, ScanReadError) else str(exc)
            result.leave_out(row.item_id, row.item.path, reason)
            continue
        if row.label is None:
            unlabeled.append({"image": image, "item_id": row.item_id})
            continue
        entry = {"image": image, "label": index[row.label], "item_id": row.item_id}
        if row.item.split == "test":
            lists["test"].append(entry)
        elif row.item_id in validation:
            lists["validation"].append(entry)
        else:
            lists["training"].append(entry)
        result.written_items += 1
    datalist: dict[str, Any] = {
        "name": project_name, "description": "exported by alstudio",
        "labels": {str(i): name for i, name in enumerate(classes)},
        "numTraining": len(lists["training"]), "numValidation": len(lists["validation"]),
        "numTest": len(lists["test"]), **lists,
    }
    if unlabeled:
        datalist["unlabeled"] = unlabeled
    writer.write_json(DATALIST, datalist)
    report(progress, "datalist", len(rows), len(rows))
    result.extra = {"training": len(lists["training"]),
                    "validation": len(lists["validation"]), "test": len(lists["test"]),
                    "unlabeled": len(unlabeled)}
    return result
