"""DICOM Structured Reports read back by pydicom and highdicom."""

from __future__ import annotations

from pathlib import Path

import highdicom as hd
import pydicom

from alstudio.export import ExportOptions
from alstudio.workflow.export import run_export


def test_one_report_per_labeled_dicom_item(labeled_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "sr"
    report = run_export(labeled_project, out, ExportOptions("dicom-sr"))
    assert report.items_written == 3  # CT, MR, SC; PNGs are listed as not DICOM
    originals = {pydicom.dcmread(p).SOPInstanceUID: pydicom.dcmread(p)
                 for p in (tmp_path / "scans" / "dicom").glob("*.dcm")}
    seen = {}
    for path in sorted((out / "sr").glob("*.dcm")):
        ds = pydicom.dcmread(path)
        assert ds.Modality == "SR"
        sr = hd.sr.srread(path)
        (group,) = sr.content.get_image_measurement_groups()
        (evaluation,) = group.get_qualitative_evaluations()
        assert evaluation.name == hd.sr.CodedConcept("CLASS", "99ALSTUDIO", "Image class")
        (source,) = group.source_images
        referenced = source.referenced_sop_instance_uid
        assert referenced in originals
        original = originals[referenced]
        assert ds.StudyInstanceUID == original.StudyInstanceUID
        evidence = ds.CurrentRequestedProcedureEvidenceSequence[0]
        assert evidence.ReferencedSeriesSequence[0].SeriesInstanceUID == \
            original.SeriesInstanceUID
        observers = sr.content.get_observer_contexts()
        names = [str(o.observer_identifying_attributes.name) for o in observers
                 if hasattr(o.observer_identifying_attributes, "name")]
        seen[str(original.Modality)] = (evaluation.value.meaning, names)
    assert seen["CT"][0] == "abnormal" and "dr_a^" in seen["CT"][1]
    assert seen["MR"][0] == "normal"
