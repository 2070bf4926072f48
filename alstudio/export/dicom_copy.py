"""The ``dicom`` format: copies of the labeled DICOM files, de-identified by default.

Files are laid out as ``<split>/<class>/<item id>/<n>.dcm`` so that no name in the export
repeats an identifier. Files that may carry identifiers burned into their pixels are listed
in the manifest and left out unless ``allow_burned_in``; non-DICOM items are listed too.
``keep_identifiers`` writes the files unchanged, and the manifest and the command say so.
"""

from __future__ import annotations

import logging

from pydicom import dcmread
from pydicom.errors import InvalidDicomError

from alstudio.datasets.records import KIND_DICOM, KIND_DICOM_SERIES
from alstudio.export.common import FormatResult
from alstudio.export.deid import Deidentifier, burned_in_risk
from alstudio.export.folders import safe_name
from alstudio.export.rows import ExportRow
from alstudio.export.writer import ExportWriter
from alstudio.jobs import CancelToken, ProgressCallback, check, report

log = logging.getLogger(__name__)

KEEP_IDENTIFIERS_WARNING = ("IDENTIFIERS KEPT: these DICOM copies are NOT de-identified; they "
                            "carry patient names, IDs, dates and UIDs as the scanner wrote them.")


def export_dicom(rows: list[ExportRow], writer: ExportWriter, *,
                 deidentifier: Deidentifier | None, allow_burned_in: bool,
                 progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None) -> FormatResult:
    """Write each labeled DICOM item's files (``deidentifier=None`` keeps identifiers)."""
    result = FormatResult()
    if deidentifier is None:
        result.warnings.append(KEEP_IDENTIFIERS_WARNING)
    else:
        result.extra["deidentification"] = {
            "profile": "DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile",
            "options": ["Retain Longitudinal Temporal Information with Modified Dates"],
            "attribute_table": f"dicom-anonymizer {deidentifier.table_version}",
            "private_tags": "removed", "pixel_data": "unchanged"}
    todo = [r for r in rows if r.label is not None]
    total = sum(len(r.item.files) for r in todo)
    done = 0
    files_written = 0
    for row in todo:
        if row.item.kind not in (KIND_DICOM, KIND_DICOM_SERIES):
            result.leave_out(row.item_id, row.item.path, "not a DICOM item")
            continue
        datasets = []
        problem = None
        for path in row.absolute_files():
            check(cancel)
            try:
                ds = dcmread(path, force=True)
            except (OSError, InvalidDicomError) as exc:
                problem = f"cannot read {path}: {exc}"
                break
            risk = burned_in_risk(ds)
            if risk is not None and not allow_burned_in:
                problem = (f"may show identifiers in its pixels ({risk}); left out unless "
                           "burned-in files are allowed (--allow-burned-in)")
                break
            datasets.append(ds)
        if problem is not None:
            result.leave_out(row.item_id, row.item.path, problem)
            done += len(row.item.files)
            continue
        split = "train" if row.item.split == "pool" else "test"
        folder = f"{split}/{safe_name(row.label or '')}/{row.item_id:06d}"
        for n, ds in enumerate(datasets):
            if deidentifier is not None:
                deidentifier.deidentify(ds)
            ds.save_as(writer.path(f"{folder}/{n + 1:04d}.dcm"), enforce_file_format=False)
            files_written += 1
            done += 1
            if done % 20 == 0:
                report(progress, "dicom", done, total)
        result.written_items += 1
    report(progress, "dicom", total, total)
    result.extra["files"] = files_written
    return result
