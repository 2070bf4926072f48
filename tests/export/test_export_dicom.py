"""De-identified DICOM copies read back by pydicom: identifiers and private tags gone, pixels
identical, UIDs consistent within a series and between two exports of one project."""

from __future__ import annotations

import json
from pathlib import Path

import pydicom
import pytest

from alstudio.export import ExportOptions
from alstudio.project import Project
from alstudio.workflow.export import run_export
from alstudio.workflow.importer import import_paths

IDENTIFYING = ("PatientName", "PatientID", "PatientBirthDate", "PatientAddress",
               "AccessionNumber", "InstitutionName", "InstitutionAddress",
               "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName",
               "StationName", "StudyDescription", "SeriesDescription", "ImageComments")
UIDS = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")


def originals_by_pixels(folder: Path) -> dict[bytes, pydicom.Dataset]:
    return {ds.PixelData: ds for ds in (pydicom.dcmread(p) for p in folder.rglob("*.dcm"))}


def exported(out: Path) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(p) for p in sorted(out.rglob("*.dcm"))]


def free_text(ds: pydicom.Dataset) -> str:
    """Every text value of the header but the manufacturer's (kept by the profile)."""
    return "\n".join(str(e.value) for e in ds.iterall()
                     if e.VR in ("PN", "LO", "SH", "ST", "LT", "UT", "UC", "DA")
                     and e.keyword not in ("Manufacturer", "ManufacturerModelName"))


def assert_deidentified(ds: pydicom.Dataset, original: pydicom.Dataset) -> None:
    text = free_text(ds)
    for keyword in IDENTIFYING:
        value = original.get(keyword)
        if value not in (None, ""):
            assert str(ds.get(keyword, "")) in ("", "ANONYMIZED"), keyword
            assert str(value) not in text, keyword  # nowhere else in the header either
    assert not [e for e in ds.iterall() if e.tag.is_private]
    assert ds.PixelData == original.PixelData
    for keyword in UIDS:
        if keyword in original:
            assert ds[keyword].value != original[keyword].value
            assert ds[keyword].value.startswith("2.25.")
    assert ds.PatientIdentityRemoved == "YES"
    codes = {c.CodeValue for c in ds.DeidentificationMethodCodeSequence}
    assert {"113100", "113107"} <= codes
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    if original.get("StudyDate"):
        assert ds.StudyDate != original.StudyDate and len(ds.StudyDate) == 8


def test_pydicom_files_deidentified_and_burned_in_left_out(labeled_project: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "dicom"
    report = run_export(labeled_project, out, ExportOptions("dicom"))
    originals = originals_by_pixels(tmp_path / "scans" / "dicom")
    copies = exported(out)
    assert len(copies) == 2  # CT and MR; the secondary capture is left out
    for ds in copies:
        assert_deidentified(ds, originals[ds.PixelData])
    reasons = {Path(e["path"]).name: e["reason"] for e in report.left_out}
    assert "secondary capture" in reasons["SC_rgb_gdcm_KY.dcm"]
    assert all("not a DICOM item" in r for n, r in reasons.items() if n.endswith(".png"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["deidentification"]["private_tags"] == "removed"
    assert any(e["path"].endswith("SC_rgb_gdcm_KY.dcm") for e in manifest["left_out"])
    # the mapping stays in the project, never in the export
    with Project.open(labeled_project) as project:
        key = project.meta()["deid_uid_key"]
    assert all(key not in p.read_bytes().hex() and key.encode() not in p.read_bytes()
               for p in out.rglob("*") if p.is_file())


def test_burned_in_allowed_and_identifiers_kept_on_request(labeled_project: Path,
                                                         tmp_path: Path) -> None:
    allowed = run_export(labeled_project, tmp_path / "a",
                         ExportOptions("dicom", allow_burned_in=True))
    assert allowed.items_written == 3
    kept = run_export(labeled_project, tmp_path / "k", ExportOptions("dicom",
                                                                     keep_identifiers=True))
    names = {str(ds.PatientName) for ds in exported(tmp_path / "k")}
    assert names == {"CompressedSamples^CT1", "CompressedSamples^MR1"}
    assert any("NOT de-identified" in w for w in kept.warnings)
    manifest = json.loads((tmp_path / "k" / "manifest.json").read_text())
    assert manifest["options"]["keep_identifiers"] is True
    assert any("IDENTIFIERS KEPT" in w for w in manifest["warnings"])


def test_real_mr_series_consistent_uids_within_series_and_between_exports(
        tmp_path: Path, shared_data: Path) -> None:
    series = shared_data / "dicom_mr_series" / "HFS" / "3_t1_fl2d_sag"
    path = tmp_path / "mr.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        import_paths(project, [series], "pool")
        (item,) = project.items()
        project.add_label(item.id, "dr_a", "normal")
    first = run_export(path, tmp_path / "one", ExportOptions("dicom"))
    second = run_export(path, tmp_path / "two", ExportOptions("dicom"))
    assert first.items_written == second.items_written == 1
    originals = originals_by_pixels(series)
    one, two = exported(tmp_path / "one"), exported(tmp_path / "two")
    assert len(one) == len(two) == 35
    for ds in one:
        assert_deidentified(ds, originals[ds.PixelData])
        text = free_text(ds)
        assert "Prisma Health" not in text and "Columbia" not in text and "crlab" not in text
        assert "19700606" not in str(ds)
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
        assert len({ds[keyword].value for ds in one}) == 1, keyword
        assert {ds[keyword].value for ds in one} == {ds[keyword].value for ds in two}
    assert len({ds.SOPInstanceUID for ds in one}) == 35
    assert [ds.SOPInstanceUID for ds in one] == [ds.SOPInstanceUID for ds in two]
    assert {ds.StudyDate for ds in one} == {ds.StudyDate for ds in two}
    assert [ds.InstanceNumber for ds in one] == sorted(ds.InstanceNumber for ds in one) \
        or len({ds.InstanceNumber for ds in one}) == 35


def test_uids_differ_between_projects(labeled_project: Path, tmp_path: Path,
                                      pydicom_test_files: Path) -> None:
    other = tmp_path / "other.alstudio"
    with Project.create(other, ["normal", "abnormal"]) as project:
        import_paths(project, [tmp_path / "scans" / "dicom" / "CT_small.dcm"], "pool")
        project.add_label(project.items()[0].id, "dr_a", "normal")
    run_export(labeled_project, tmp_path / "p1", ExportOptions("dicom"))
    run_export(other, tmp_path / "p2", ExportOptions("dicom"))
    ct1 = next(ds for ds in exported(tmp_path / "p1") if ds.Modality == "CT")
    (ct2,) = exported(tmp_path / "p2")
    assert ct1.PixelData == ct2.PixelData
    assert ct1.SOPInstanceUID != ct2.SOPInstanceUID


@pytest.mark.parametrize("value, expected", [("20040119", "20021215"), ("", ""), ("2004", "")])
def test_date_shift(value: str, expected: str) -> None:
    from alstudio.export.deid import Deidentifier, DeidKeys

    assert Deidentifier(DeidKeys(b"k" * 32, -400)).shift_date(value, "DA") == expected
