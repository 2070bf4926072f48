"""NIfTI through nibabel: nibabel's bundled files and the documented display orientation."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from alstudio.datasets import ScanRecord, SkippedFile, discover, read_pixels
from alstudio.datasets.records import ScanSource


def _nifti_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith((".nii", ".nii.gz")))


def test_nibabel_nifti_files_import_or_are_skipped(nibabel_data: Path) -> None:
    files = _nifti_files(nibabel_data)
    assert len(files) >= 7
    items = list(discover(files))
    assert len(items) == len(files)
    for item in items:
        if isinstance(item, SkippedFile):
            assert item.path.endswith("row_major.dconn.nii")  # CIFTI, not a volume
            assert item.reason == "not a NIfTI volume (Cifti2Image)"
            continue
        image = read_pixels(item.source)
        assert image.array.shape == item.shape
        assert image.spacing == item.spacing
        assert image.modality is None


def test_4d_file_shows_its_first_volume(nibabel_data: Path) -> None:
    path = nibabel_data / "example4d.nii.gz"
    (record,) = discover([path])
    assert isinstance(record, ScanRecord)
    assert record.metadata["volumes"] == 2
    image = read_pixels(record.source)
    first = nib.as_closest_canonical(nib.load(path)).get_fdata()[..., 0]
    assert np.allclose(image.array, first.transpose(2, 1, 0)[:, ::-1, ::-1])


def _volume(tmp_path: Path, name: str, data: np.ndarray, affine: np.ndarray) -> ScanSource:
    path = tmp_path / name
    nib.save(nib.Nifti1Image(data, affine), path)
    (record,) = discover([path])
    assert isinstance(record, ScanRecord)
    return record.source


def test_axial_view_is_radiological(tmp_path: Path) -> None:
    # RAS voxel grid, 2 mm isotropic: x right, y anterior, z superior
    data = np.zeros((4, 5, 6), dtype=np.int16)
    data[3, 4, 5] = 7  # right, anterior, superior corner
    source = _volume(tmp_path, "ras.nii", data, np.diag([2.0, 2.0, 2.0, 1.0]))
    image = read_pixels(source)
    assert image.array.shape == (6, 5, 4)  # slices along z, rows along y, cols along x
    # last (most superior) slice, top row (anterior), left column (patient's right)
    assert image.array[5, 0, 0] == 7
    assert image.array.sum() == 7


def test_same_scan_stored_lps_displays_identically(tmp_path: Path) -> None:
    data = np.random.default_rng(0).integers(0, 1000, (4, 5, 6)).astype(np.int16)
    ras = read_pixels(_volume(tmp_path, "ras.nii.gz", data, np.diag([2.0, 2.0, 2.0, 1.0])))
    # the same voxels with x and y axes flipped in storage and the affine saying so
    lps_affine = np.diag([-2.0, -2.0, 2.0, 1.0])
    lps_affine[:3, 3] = [6.0, 8.0, 0.0]
    lps = read_pixels(_volume(tmp_path, "lps.nii.gz", data[::-1, ::-1, :].copy(), lps_affine))
    assert np.array_equal(ras.array, lps.array)


def test_thick_slices_choose_the_through_plane_axis(tmp_path: Path) -> None:
    data = np.zeros((3, 40, 50), dtype=np.float32)  # 3 sagittal slices, 5 mm apart
    source = _volume(tmp_path, "sag.nii", data, np.diag([5.0, 1.0, 1.0, 1.0]))
    (record,) = discover([source.path])
    assert record.metadata["view"] == "sagittal"
    assert record.shape == (3, 50, 40)  # slices (x), rows (z), cols (y)
    assert record.spacing == (5.0, 1.0, 1.0)


def test_single_slice_nifti_is_2d(tmp_path: Path) -> None:
    data = np.arange(20, dtype=np.float32).reshape(4, 5, 1)
    source = _volume(tmp_path, "flat.nii", data, np.diag([0.5, 0.5, 3.0, 1.0]))
    image = read_pixels(source)
    assert image.array.shape == (5, 4)
    assert image.spacing == (0.5, 0.5)
    assert image.array[0, 0] == pytest.approx(data[3, 4, 0])  # anterior row, right column


def test_whole_nibabel_data_folder_never_raises(nibabel_data: Path) -> None:
    items = list(discover([nibabel_data]))
    records = [i for i in items if isinstance(i, ScanRecord)]
    assert {r.source.kind for r in records} == {"nifti", "dicom-series"}  # 0.dcm + 1.dcm
    for record in records:
        assert read_pixels(record.source).array.shape == record.shape
    reasons = {Path(i.path).name: i.reason for i in items if isinstance(i, SkippedFile)}
    assert reasons["test.mgz"].startswith("not a recognised scan format")
    assert "README.rst" not in reasons  # documentation is ignored quietly
