"""Getting a labeled set out: CSV, JSON, a MONAI datalist, folder-per-class images,
de-identified DICOM copies, DICOM Structured Reports and the model.

One module per format; each takes the export rows (:mod:`alstudio.export.rows`), a staging
writer (:mod:`alstudio.export.writer`), a progress callback and a cancel token. No torch,
MONAI or Qt here: the job that runs a format is :func:`alstudio.workflow.export.run_export`.
"""

from __future__ import annotations

from alstudio.export.common import FORMATS, SPLIT_CHOICES, STATUSES, ExportOptions, FormatResult
from alstudio.export.deid import Deidentifier, DeidKeys, burned_in_risk
from alstudio.export.dicom_copy import KEEP_IDENTIFIERS_WARNING, export_dicom
from alstudio.export.folders import export_folders
from alstudio.export.model import export_model
from alstudio.export.monai_list import export_monai
from alstudio.export.rows import ExportRow, build_rows, counts
from alstudio.export.sr import export_sr
from alstudio.export.table import export_csv, export_json
from alstudio.export.writer import MANIFEST, ExportWriter

__all__ = [
    "FORMATS", "KEEP_IDENTIFIERS_WARNING", "MANIFEST", "SPLIT_CHOICES", "STATUSES",
    "DeidKeys", "Deidentifier", "ExportOptions", "ExportRow", "ExportWriter", "FormatResult",
    "build_rows", "burned_in_risk", "counts", "export_csv", "export_dicom", "export_folders",
    "export_json", "export_model", "export_monai", "export_sr",
]
