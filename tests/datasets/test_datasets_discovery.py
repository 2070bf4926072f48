"""Discovery's walk, ignore rules, bad files, progress and cancellation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from alstudio.datasets import ScanRecord, SkippedFile, discover, verify
from alstudio.datasets.records import NOT_A_SCAN
from alstudio.errors import Cancelled, ScanReadError
from alstudio.jobs import CancelToken, Progress


def _reasons(items: list[ScanRecord | SkippedFile]) -> dict[str, str]:
    return {Path(i.path).name: i.reason for i in items if isinstance(i, SkippedFile)}


@pytest.fixture
def bad_folder(tmp_path: Path, pydicom_test_files: Path) -> Path:
    """A folder of damaged files, as a user's export folder might hold."""
    ct = (pydicom_test_files / "CT_small.dcm").read_bytes()
    (tmp_path / "truncated_pixels.dcm").write_bytes(ct[: len(ct) - 5000])
    (tmp_path / "truncated_header.dcm").write_bytes(ct[:400])
    (tmp_path / "notes.dcm").write_text("this is a text file with a .dcm name\n")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "garbage.nii.gz").write_bytes(b"\x1f\x8b" + bytes(range(256)) * 4)
    volume = nib.Nifti1Image(np.arange(4000, dtype=np.float32).reshape(10, 20, 20), np.eye(4))
    nib.save(volume, tmp_path / "whole.nii.gz")
    whole = (tmp_path / "whole.nii.gz").read_bytes()
    (tmp_path / "cut.nii.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "whole.nii.gz").unlink()
    np.savez(tmp_path / "other_layout.npz", x=np.zeros((3, 4, 4)))
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    (tmp_path / "report.txt").write_text("findings")
    return tmp_path


def test_bad_files_are_reported_with_path_and_one_line(bad_folder: Path) -> None:
    items = list(discover([bad_folder]))
    reasons = _reasons(items)
    assert reasons["truncated_pixels.dcm"] == "truncated pixel data"
    assert reasons["truncated_header.dcm"].startswith(("cannot read DICOM header",
                                                       "incomplete image header",
                                                       "no pixel data"))
    assert reasons["notes.dcm"] == "not a DICOM file"
    assert reasons["empty.png"] == "empty file (0 bytes)"
    assert reasons["garbage.nii.gz"] == "cannot decode: not a valid NIfTI file"
    assert reasons["other_layout.npz"].startswith("not a MedMNIST-style .npz")
    assert reasons["broken.npz"] == "not a valid .npz archive"
    assert reasons["report.txt"] == NOT_A_SCAN
    for item in items:
        if isinstance(item, SkippedFile):
            assert Path(item.path).parent == bad_folder
            assert "\n" not in item.reason and len(item.reason) < 200
    # the cut gzip has an intact header: discovery is header-only, verify decodes it
    (cut,) = [i for i in items if isinstance(i, ScanRecord)]
    assert cut.source.path.endswith("cut.nii.gz")
    with pytest.raises(ScanReadError) as info:
        verify(cut.source)
    assert info.value.path == cut.source.path
    assert info.value.reason.startswith("cannot decode:")


def test_quiet_ignore_rules(tmp_path: Path, pydicom_test_files: Path) -> None:
    shutil.copy(pydicom_test_files / "CT_small.dcm", tmp_path / ".hidden.dcm")
    hidden_dir = tmp_path / ".git"
    hidden_dir.mkdir()
    shutil.copy(pydicom_test_files / "CT_small.dcm", hidden_dir / "ct.dcm")
    for name in ("README.md", "LICENSE", "MANIFEST.md", "readme.txt", "Thumbs.db"):
        (tmp_path / name).write_text("docs")
    nib.save(nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.eye(4)),
             tmp_path / "sub-01_T1w.nii.gz")
    (tmp_path / "sub-01_T1w.json").write_text("{}")  # BIDS sidecar
    (tmp_path / "dataset_description.json").write_text("{}")  # not a sidecar
    items = list(discover([tmp_path]))
    assert _reasons(items) == {"dataset_description.json": NOT_A_SCAN}
    assert [i.source.kind for i in items if isinstance(i, ScanRecord)] == ["nifti"]


def test_files_and_folders_missing_paths_and_duplicates(tmp_path: Path,
                                                        pydicom_test_files: Path) -> None:
    ct = pydicom_test_files / "CT_small.dcm"
    ct2 = pydicom_test_files / "dicomdirtests" / "77654033" / "CT2"
    items = list(discover([ct, ct, tmp_path / "nowhere", ct2, ct2 / "17106", ct2.parent]))
    records = [i for i in items if isinstance(i, ScanRecord)]
    # CT2 and its slice lie inside 77654033, which is walked once: 3 CR images + 1 series
    assert [r.source.kind for r in records] == ["dicom"] * 3 + ["dicom-series", "dicom"]
    assert records[-1].source.path == str(ct)
    assert _reasons(items) == {"nowhere": "not found"}


def test_progress_and_cancel(pydicom_test_files: Path) -> None:
    steps: list[Progress] = []
    items = list(discover([pydicom_test_files], progress=steps.append))
    assert items
    assert steps[0].phase == "indexing" and steps[0].done == 0
    assert steps[-1].done == steps[-1].total and steps[-1].total >= 170

    token = CancelToken()
    seen = 0
    with pytest.raises(Cancelled):
        for _ in discover([pydicom_test_files], cancel=token):
            seen += 1
            token.cancel()
    assert seen == 1


def test_discovery_is_deterministic(pydicom_test_files: Path) -> None:
    first = list(discover([pydicom_test_files / "dicomdirtests"]))
    second = list(discover([pydicom_test_files / "dicomdirtests"]))
    assert first == second


def test_package_imports_no_torch_qt_or_other_layers() -> None:
    code = ("import sys, alstudio.datasets; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'monai', 'PySide6')"
            " or (m.startswith('alstudio.') and m.split('.')[1] not in"
            " ('datasets', 'jobs', 'errors'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"

