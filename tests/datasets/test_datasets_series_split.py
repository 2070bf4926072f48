"""Several volumes at the same slice positions in one series are split, not scattered.

Built from the real 35-slice T1 series: a second "echo" (or a repeat with no telling tag) is
written beside the original with the same positions, as a multi-echo or repeated acquisition
would be.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from alstudio.datasets import ScanRecord, discover, read_pixels

T1_SERIES = "dicom_mr_series/HFS/3_t1_fl2d_sag"


def _write_two_volumes(source: Path, target: Path, *, tag_second: bool,
                       interleave: bool = False) -> None:
    target.mkdir()
    files = sorted(source.glob("*.dcm"))
    for index, path in enumerate(files):
        for volume in (1, 2):
            ds = pydicom.dcmread(path)
            if volume == 2:
                ds.SOPInstanceUID = generate_uid()
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
                ds.PixelData = (ds.pixel_array // 2).astype(ds.pixel_array.dtype).tobytes()
                if tag_second:
                    ds.EchoNumbers = 2
            if tag_second:
                ds.EchoNumbers = volume if volume == 2 else 1
            number = int(ds.InstanceNumber)
            ds.InstanceNumber = 2 * number - (volume == 1) if interleave \
                else number + (volume - 1) * len(files)
            ds.save_as(target / f"v{volume}_{index:03d}.dcm")


def _records(folder: Path) -> list[ScanRecord]:
    return [r for r in discover([folder]) if isinstance(r, ScanRecord)]


def _volume(record: ScanRecord) -> np.ndarray:
    assert record.source.kind == "dicom-series" and record.shape == (35, 256, 256)
    image = read_pixels(record.source)
    ds = pydicom.dcmread(record.source.files[17])
    assert np.array_equal(image.array[17], ds.pixel_array.astype(np.float32))
    return image.array


@pytest.mark.parametrize("interleave", [False, True])
def test_echoes_at_the_same_positions_become_one_volume_each(shared_data: Path,
                                                             tmp_path: Path,
                                                             interleave: bool) -> None:
    folder = tmp_path / "echoes"
    _write_two_volumes(shared_data / T1_SERIES, folder, tag_second=True, interleave=interleave)
    records = _records(folder)
    assert [r.metadata.get("volume") for r in records] == ["EchoNumbers 1", "EchoNumbers 2"]
    first, second = records
    assert all(Path(f).name.startswith("v1_") for f in first.source.files)
    assert all(Path(f).name.startswith("v2_") for f in second.source.files)
    assert np.array_equal(_volume(second), np.floor(_volume(first) / 2))
    assert first.spacing == second.spacing and first.spacing is not None


def test_without_a_telling_tag_acquisition_order_splits_them(shared_data: Path,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "repeat"
    _write_two_volumes(shared_data / T1_SERIES, folder, tag_second=False)
    records = _records(folder)
    assert [r.metadata.get("volume") for r in records] == ["acquisition 1", "acquisition 2"]
    assert all(Path(f).name.startswith("v1_") for f in records[0].source.files)
    assert all(Path(f).name.startswith("v2_") for f in records[1].source.files)


def test_copies_that_split_no_way_stay_one_item_per_file(shared_data: Path,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    for index, path in enumerate(sorted((shared_data / T1_SERIES).glob("*.dcm"))[:3]):
        for copy in (1, 2):
            ds = pydicom.dcmread(path)
            ds.SOPInstanceUID = generate_uid()  # other bytes, same instance number
            ds.save_as(folder / f"c{copy}_{index}.dcm")
    records = _records(folder)
    assert len(records) == 6 and all(r.source.kind == "dicom" for r in records)
