"""Slice gaps and gantry tilt: kept as acquired, never resampled, and always said.

Built from the real 35-slice T1 series: one slice removed (a gap), or every position shifted
in the image plane in proportion to its slice (what a tilted CT gantry produces). Expected
values are computed here from the files with numpy, not taken from alstudio.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest

from alstudio.datasets import ScanRecord, discover, read_pixels
from alstudio.project import Project
from alstudio.workflow.importer import import_paths

T1_SERIES = "dicom_mr_series/HFS/3_t1_fl2d_sag"


def _sorted_slices(folder: Path) -> list[pydicom.Dataset]:
    """The folder's slices in ascending order along row x column, computed independently."""
    slices = [pydicom.dcmread(p) for p in folder.glob("*.dcm")]
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    return sorted(slices, key=lambda ds: float(np.dot(ds.ImagePositionPatient, normal)))


@pytest.fixture
def gap_series(tmp_path: Path, shared_data: Path) -> Path:
    """The T1 series without its 4th slice (in slice order)."""
    folder = tmp_path / "gap"
    folder.mkdir()
    ordered = _sorted_slices(shared_data / T1_SERIES)
    for index, ds in enumerate(ordered):
        if index != 3:
            shutil.copyfile(ds.filename, folder / Path(ds.filename).name)
    return folder


def test_a_missing_slice_is_a_warning_not_a_resampling(gap_series: Path) -> None:
    ordered = _sorted_slices(gap_series)
    iop = np.array(ordered[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    offsets = [float(np.dot(ds.ImagePositionPatient, normal)) for ds in ordered]
    gaps = np.diff(offsets)
    assert gaps[2] == pytest.approx(9.6, abs=1e-3) and np.median(gaps) == pytest.approx(4.8)

    (record,) = [r for r in discover([gap_series]) if isinstance(r, ScanRecord)]
    expected = "slice gap: 9.6 mm between slices 3 and 4; elsewhere 4.8 mm"
    assert record.metadata["warnings"] == expected
    assert record.shape == (34, 256, 256)
    assert record.spacing == pytest.approx((4.8, 1.015625, 1.015625), abs=1e-4)
    image = read_pixels(record.source)
    assert image.warnings == (expected,)
    stack = np.stack([ds.pixel_array for ds in ordered]).astype(np.float32)
    assert np.array_equal(image.array, stack)  # the 34 acquired slices, none made up


def test_import_lists_the_warning_per_item_and_counts_it(gap_series: Path,
                                                         tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.alstudio", ["a", "b"]) as project:
        report = import_paths(project, [gap_series])
    data = report.as_json()
    assert data["imported"] == 1
    (entry,) = data["warnings"]
    assert entry["warnings"] == ["slice gap: 9.6 mm between slices 3 and 4; elsewhere 4.8 mm"]
    assert entry["path"].endswith(".dcm")
    assert "1 item(s) with a geometry warning" in report.summary()


def test_a_regular_series_has_no_warning(shared_data: Path) -> None:
    (record,) = [r for r in discover([shared_data / T1_SERIES]) if isinstance(r, ScanRecord)]
    assert "warnings" not in record.metadata
    assert read_pixels(record.source).warnings == ()


@pytest.mark.parametrize("degrees", [12.0, -20.0])
def test_gantry_tilt_is_detected_and_the_spacing_is_between_planes(
        tmp_path: Path, shared_data: Path, degrees: float) -> None:
    ordered = _sorted_slices(shared_data / T1_SERIES)
    iop = np.array(ordered[0].ImageOrientationPatient, dtype=float)
    column = iop[3:]  # an in-plane direction: shifting along it keeps every slice plane
    normal = np.cross(iop[:3], iop[3:])
    start = np.array(ordered[0].ImagePositionPatient, dtype=float)
    folder = tmp_path / "tilted"
    folder.mkdir()
    for index, ds in enumerate(ordered):
        position = np.array(ds.ImagePositionPatient, dtype=float)
        along = float(np.dot(position - start, normal))
        shifted = position + column * along * math.tan(math.radians(degrees))
        ds.ImagePositionPatient = [f"{v:.6f}" for v in shifted]
        ds.save_as(folder / f"{index:03d}.dcm")

    (record,) = [r for r in discover([folder]) if isinstance(r, ScanRecord)]
    line = shifted - start
    angle = math.degrees(math.acos(abs(float(np.dot(line, normal))) / np.linalg.norm(line)))
    assert angle == pytest.approx(abs(degrees), abs=0.01)
    warning = record.metadata["warnings"]
    assert warning.startswith(f"gantry tilt {abs(degrees):.1f}°: slices kept as acquired")
    # the true distance between slice planes, not the longer step between positions
    assert record.spacing[0] == pytest.approx(4.8, abs=1e-3)
    assert float(np.linalg.norm(line)) / 34 > 4.8 * 1.02
    image = read_pixels(record.source)
    assert image.warnings == (warning,)
    assert image.spacing == pytest.approx(record.spacing)
    assert np.array_equal(image.array, np.stack([d.pixel_array for d in ordered]))


def test_warning_wording_for_uneven_spacing_and_reversed_display() -> None:
    from alstudio.datasets.dicom.geometry import spacing_warning

    offsets = np.array([0.0, 5.0, 10.0, 20.0, 25.0])
    assert spacing_warning(offsets, 5.0, reverse=False) == \
        "slice gap: 10 mm between slices 3 and 4; elsewhere 5 mm"
    # shown the other way round, the same gap lies between slices 2 and 3
    assert spacing_warning(offsets, 5.0, reverse=True) == \
        "slice gap: 10 mm between slices 2 and 3; elsewhere 5 mm"
    ragged = np.cumsum([0.0, 4.0, 6.0, 3.0, 7.0, 5.0, 2.5, 8.0])
    assert spacing_warning(ragged, 5.0, reverse=False) == \
        "uneven slice spacing: 2.5 mm to 8 mm (median 5 mm), not resampled"
