"""An enhanced multi-frame file holding two volumes becomes two items, each in slice order.

Derived from the real Siemens XA30 enhanced fMRI files: two time points (two files, 63
sagittal frames each) are re-written as one file of 126 frames, interleaved frame by frame as
a scanner storing a time series in one file would, with Temporal Position Index and Dimension
Index Values saying which frame belongs to which time point.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from alstudio.datasets import ScanRecord, discover, read_pixels

RUN = "dicom_enhanced_multiframe/In/XA30/enhanced/5_Product_EPI_Sag_Ascending"


def _positions(ds: pydicom.Dataset) -> np.ndarray:
    return np.array([item.PlanePositionSequence[0].ImagePositionPatient
                     for item in ds.PerFrameFunctionalGroupsSequence], dtype=float)


def _interleave(first: pydicom.Dataset, second: pydicom.Dataset, *, tagged: bool
                ) -> pydicom.Dataset:
    out = copy.deepcopy(first)
    frames = []
    pixels = []
    for index in range(int(first.NumberOfFrames)):
        for time, source in ((1, first), (2, second)):
            item = copy.deepcopy(source.PerFrameFunctionalGroupsSequence[index])
            content = item.FrameContentSequence[0]
            if tagged:
                content.TemporalPositionIndex = time
                stack, in_stack, _ = content.DimensionIndexValues
                content.DimensionIndexValues = [stack, in_stack, time]
            else:  # nothing tells the volumes apart but their acquisition order
                del content.TemporalPositionIndex
                del content.DimensionIndexValues
            frames.append(item)
            pixels.append(source.pixel_array[index])
    if not tagged:
        del out.DimensionIndexSequence
    out.PerFrameFunctionalGroupsSequence = frames
    out.NumberOfFrames = len(frames)
    out.PixelData = np.stack(pixels).astype(first.pixel_array.dtype).tobytes()
    out.SOPInstanceUID = generate_uid()
    out.file_meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    return out


def _expected(ds: pydicom.Dataset) -> np.ndarray:
    """Sagittal display computed here: slices from patient left to right (LPS x falling)."""
    iop = np.array(ds.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0]
                   .ImageOrientationPatient if "PlaneOrientationSequence" in
                   ds.SharedFunctionalGroupsSequence[0] else
                   ds.PerFrameFunctionalGroupsSequence[0].PlaneOrientationSequence[0]
                   .ImageOrientationPatient, dtype=float)
    # rows run head to feet, columns front to back: the sagittal display needs no in-plane flip
    assert iop[3:] @ [0, 0, -1] > 0.9 and iop[:3] @ [0, 1, 0] > 0.9
    order = np.argsort(-_positions(ds)[:, 0], kind="stable")
    return ds.pixel_array[order].astype(np.float32)


@pytest.mark.parametrize("tagged", [True, False])
def test_two_interleaved_volumes_become_two_items(tmp_path: Path, shared_data: Path,
                                                  tagged: bool) -> None:
    first, second = (pydicom.dcmread(shared_data / RUN / n) for n in ("0063.dcm", "0126.dcm"))
    assert np.allclose(_positions(first), _positions(second))
    folder = tmp_path / "one_file"
    folder.mkdir()
    _interleave(first, second, tagged=tagged).save_as(folder / "both.dcm")

    records = [r for r in discover([folder]) if isinstance(r, ScanRecord)]
    assert len(records) == 2
    offsets = np.sort(_positions(first) @ [1.0, 0.0, 0.0])
    true_spacing = float(np.median(np.diff(offsets)))
    assert true_spacing == pytest.approx(2.2, abs=1e-3)
    for record, source in zip(records, (first, second), strict=True):
        assert record.shape == (63, 86, 86)
        assert record.spacing == pytest.approx((true_spacing, 2.23256, 2.23256), abs=1e-4)
        assert record.source.member and record.source.member.startswith("frames:")
        image = read_pixels(record.source)
        assert image.array.shape == record.shape
        assert np.array_equal(image.array, _expected(source))
    assert records[0].content_hash != records[1].content_hash
    labels = [r.metadata["volume"] for r in records]
    assert labels[0] != labels[1]
    if tagged:
        assert labels == ["DimensionIndexValues 1,1", "DimensionIndexValues 1,2"]


def test_the_volumes_of_one_file_round_trip_through_a_project(tmp_path: Path,
                                                               shared_data: Path) -> None:
    from alstudio.datasets.item_source import source_for
    from alstudio.project import Project
    from alstudio.workflow.importer import import_paths

    first, second = (pydicom.dcmread(shared_data / RUN / n) for n in ("0063.dcm", "0126.dcm"))
    folder = tmp_path / "one_file"
    folder.mkdir()
    _interleave(first, second, tagged=True).save_as(folder / "both.dcm")
    with Project.create(tmp_path / "p.alstudio", ["a", "b"]) as project:
        assert import_paths(project, [folder]).imported == 2
        items = project.items()
        assert len({item.path for item in items}) == 2  # the member names the volume
        for item, source in zip(items, (first, second), strict=True):
            image = read_pixels(source_for(item))
            assert np.array_equal(image.array, _expected(source))


@pytest.mark.parametrize("frames", [(1, 3, 5, 7), (124, 122, 120), (0, 5, 2), (4, 9)])
def test_member_names_round_trip(frames: tuple[int, ...]) -> None:
    from alstudio.datasets.dicom.frames import FrameVolume, parse_member
    from alstudio.datasets.dicom.geometry import StackOrder

    volume = FrameVolume("v", frames, StackOrder(tuple(range(len(frames))), 1.0, False))
    assert parse_member(volume.member) == list(frames)
    assert parse_member(None) is None and parse_member("train:3") is None
