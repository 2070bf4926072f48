"""Colour slices of one series are one colour volume, not a pile of 2D items.

Derived from pydicom's real RGB test image: three slices of one series at different
positions (written in shuffled order, each slice's colours rolled differently so that the
order can be checked).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from pydicom.uid import generate_uid

from alstudio.datasets import ScanRecord, discover, read_pixels


def test_rgb_slices_of_one_series_become_one_colour_volume(
        tmp_path: Path, pydicom_test_files: Path) -> None:
    series = generate_uid()
    expected = {}
    for z, name in ((4.0, "a.dcm"), (0.0, "b.dcm"), (2.0, "c.dcm")):
        ds = pydicom.dcmread(pydicom_test_files / "examples_rgb_color.dcm")
        ds.SeriesInstanceUID = series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.Modality = "XC"
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [0, 0, z]
        ds.PixelSpacing = [0.5, 0.5]
        pixels = np.roll(ds.pixel_array, int(z) * 10, axis=1)
        ds.PixelData = np.ascontiguousarray(pixels).tobytes()
        ds.save_as(tmp_path / name)
        expected[z] = pixels
    records = [r for r in discover([tmp_path]) if isinstance(r, ScanRecord)]
    assert len(records) == 1
    (record,) = records
    assert record.source.kind == "dicom-series"
    assert record.shape == (3, 240, 320, 3)
    assert record.spacing == (2.0, 0.5, 0.5)
    image = read_pixels(record.source)
    assert image.is_rgb and image.array.shape == record.shape
    # axial display: slices from inferior to superior, i.e. z ascending
    for k, z in enumerate(sorted(expected)):
        assert np.array_equal(image.array[k], expected[z].astype(np.float32))
