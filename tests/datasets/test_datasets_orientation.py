"""One display orientation: the same scan imported as DICOM or as NIfTI gives the same array.

The NIfTI files here are written by the test itself with nibabel from the DICOM geometry
(ImageOrientationPatient, ImagePositionPatient, PixelSpacing), the way converters do, in more
than one voxel order; none of alstudio's code builds them.
"""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from alstudio.datasets import ScanRecord, discover, read_pixels
from alstudio.datasets.orientation import dicom_directions, display_plan, letters, opposite

T1_SERIES = "dicom_mr_series/HFS/3_t1_fl2d_sag"
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])


def _dicom_volume(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """(voxels as (col, row, slice), RAS affine) of a classic series, computed here."""
    slices = [pydicom.dcmread(p) for p in folder.glob("*.dcm")]
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    along_row, down_column = iop[:3], iop[3:]
    normal = np.cross(along_row, down_column)
    slices.sort(key=lambda ds: float(np.dot(ds.ImagePositionPatient, normal)))
    first = np.array(slices[0].ImagePositionPatient, dtype=float)
    last = np.array(slices[-1].ImagePositionPatient, dtype=float)
    step = (last - first) / (len(slices) - 1)
    row_mm, col_mm = (float(v) for v in slices[0].PixelSpacing)
    lps = np.column_stack([along_row * col_mm, down_column * row_mm, step, first])
    affine = np.eye(4)
    affine[:3, :] = LPS_TO_RAS @ lps
    data = np.stack([ds.pixel_array for ds in slices], axis=-1).transpose(1, 0, 2)
    return data.astype(np.int16), affine


def _import(path: Path) -> np.ndarray:
    (record,) = [r for r in discover([path]) if isinstance(r, ScanRecord)]
    image = read_pixels(record.source)
    assert image.array.shape == record.shape
    return image.array


def test_dicom_series_and_its_nifti_conversion_give_the_same_array(
        tmp_path: Path, shared_data: Path) -> None:
    data, affine = _dicom_volume(shared_data / T1_SERIES)
    nib.save(nib.Nifti1Image(data, affine), tmp_path / "t1.nii.gz")
    # the same voxels stored the other way round along two axes (an equally valid file)
    flip = np.diag([-1.0, 1.0, -1.0, 1.0])
    flip[0, 3], flip[2, 3] = data.shape[0] - 1, data.shape[2] - 1
    nib.save(nib.Nifti1Image(data[::-1, :, ::-1].copy(), affine @ flip), tmp_path / "t1f.nii")
    from_dicom = _import(shared_data / T1_SERIES)
    assert from_dicom.shape == (35, 256, 256)
    assert np.array_equal(_import(tmp_path / "t1.nii.gz"), from_dicom)
    assert np.array_equal(_import(tmp_path / "t1f.nii"), from_dicom)


def test_sagittal_display_runs_left_to_right_head_up_face_left(shared_data: Path) -> None:
    (record,) = [r for r in discover([shared_data / T1_SERIES]) if isinstance(r, ScanRecord)]
    image = read_pixels(record.source)
    assert image.axes == ("R", "I", "P")  # slices towards the right, rows down, face left
    assert record.metadata["axes"] == "R,I,P"
    slices = [pydicom.dcmread(p) for p in (shared_data / T1_SERIES).glob("*.dcm")]
    x = sorted(float(ds.ImagePositionPatient[0]) for ds in slices)
    leftmost = next(ds for ds in slices if float(ds.ImagePositionPatient[0]) == x[-1])
    assert np.array_equal(image.array[0], leftmost.pixel_array.astype(np.float32))


def test_a_thin_sagittal_slab_scrolls_through_its_sagittal_slices(tmp_path: Path) -> None:
    data = np.arange(6 * 40 * 50, dtype=np.float32).reshape(6, 40, 50)  # 6 slices along x
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "slab.nii")
    (record,) = [r for r in discover([tmp_path / "slab.nii"]) if isinstance(r, ScanRecord)]
    assert record.metadata["view"] == "sagittal"
    assert record.shape == (6, 50, 40)  # slices, rows (z, head at top), columns (y)
    image = read_pixels(record.source)
    # RAS identity: i -> R, j -> A, k -> S; sagittal slices go left to right (i ascending),
    # rows superior first (k descending), columns anterior first (j descending)
    expected = data.transpose(0, 2, 1)[:, ::-1, ::-1]
    assert np.array_equal(image.array, expected)


@pytest.mark.parametrize(("iop", "axes"), [
    ((1, 0, 0, 0, 1, 0), ("S", "P", "L")),  # axial, as a CT stores it
    ((1, 0, 0, 0, 0, -1), ("A", "I", "L")),  # coronal
    ((0, 1, 0, 0, 0, -1), ("R", "I", "P")),  # sagittal
    ((-1, 0, 0, 0, -1, 0), ("S", "P", "L")),  # axial stored upside down and mirrored
])
def test_every_plane_comes_out_in_the_radiological_layout(iop: tuple[float, ...],
                                                          axes: tuple[str, str, str]) -> None:
    plan = display_plan(dicom_directions(iop))
    assert plan.axes == axes


def test_letters_name_oblique_directions_and_their_opposites() -> None:
    assert letters((0.0, 0.0, 1.0)) == "S"
    assert letters((0.8, 0.6, 0.0)) == "LP"
    assert opposite("LP") == "RA"


def _mirrored(ds: pydicom.Dataset) -> pydicom.Dataset:
    """The same slice stored with its columns in the opposite direction: the pixels are
    flipped left-right, ImageOrientationPatient's row vector negated and the position moved
    to the new first column, so it describes exactly the same anatomy."""
    iop = np.array(ds.ImageOrientationPatient, dtype=float)
    col_mm = float(ds.PixelSpacing[1])
    start = np.array(ds.ImagePositionPatient, dtype=float) + iop[:3] * col_mm * (ds.Columns - 1)
    ds.ImageOrientationPatient = [*(-iop[:3]), *iop[3:]]
    ds.ImagePositionPatient = [f"{v:.6f}" for v in start]
    ds.PixelData = np.ascontiguousarray(ds.pixel_array[:, ::-1]).tobytes()
    return ds


def test_a_differently_stored_series_shows_the_same_anatomy_the_same_way(
        tmp_path: Path, shared_data: Path) -> None:
    original = _import(shared_data / T1_SERIES)
    folder = tmp_path / "mirrored"
    folder.mkdir()
    for path in (shared_data / T1_SERIES).glob("*.dcm"):
        _mirrored(pydicom.dcmread(path)).save_as(folder / path.name)
    assert np.array_equal(_import(folder), original)
    # a lone slice of it, a 2D item, is turned the same way as the volume's slices
    lone = tmp_path / "lone"
    lone.mkdir()
    first = sorted(folder.glob("*.dcm"))[0]
    (lone / first.name).write_bytes(first.read_bytes())
    slice_2d = _import(lone)
    assert slice_2d.ndim == 2
    assert any(np.array_equal(slice_2d, original[k]) for k in range(len(original)))
