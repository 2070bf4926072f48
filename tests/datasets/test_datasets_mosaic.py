"""Siemens mosaics: tile count from the private tag or the CSA header, tile order, refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from alstudio.datasets.dicom.mosaic import Mosaic, mosaic_layout, split_mosaic

DIFFUSION = "dicom_mr_series/HFS/4_ep2d_diff_mddw_20_p2"


@pytest.fixture
def mosaic_file(shared_data: Path) -> pydicom.Dataset:
    first = sorted((shared_data / DIFFUSION).glob("*.dcm"))[0]
    return pydicom.dcmread(first, stop_before_pixels=True)


def test_tiles_are_cut_row_by_row_and_reversed_on_request():
    grid = np.arange(3 * 2 * 3 * 2, dtype=np.float32).reshape(6, 6)  # 3 x 3 tiles of 2 x 2
    layout = Mosaic(tiles=7, grid=3, rows=2, cols=2, reversed=False)
    volume = split_mosaic(grid, layout)
    assert volume.shape == (7, 2, 2) and volume.flags.c_contiguous
    assert np.array_equal(volume[0], grid[0:2, 0:2])
    assert np.array_equal(volume[4], grid[2:4, 2:4])  # second row, middle tile
    assert np.array_equal(volume[6], grid[4:6, 0:2])  # the empty last two tiles are dropped
    backwards = split_mosaic(grid, Mosaic(7, 3, 2, 2, reversed=True))
    assert np.array_equal(backwards, volume[::-1])


def test_tile_count_from_the_private_tag_or_else_the_csa_header(mosaic_file):
    layout = mosaic_layout(mosaic_file)
    assert layout == Mosaic(tiles=25, grid=5, rows=128, cols=128, reversed=False)
    del mosaic_file[0x0019, 0x100A]
    assert mosaic_layout(mosaic_file) == layout


def test_a_csa_normal_against_the_orientation_reverses_the_slices(mosaic_file):
    row, col = mosaic_file.ImageOrientationPatient[:3], mosaic_file.ImageOrientationPatient[3:]
    mosaic_file.ImageOrientationPatient = [*col, *row]  # swapped axes: the normal flips
    assert mosaic_layout(mosaic_file).reversed


def test_what_is_not_a_splittable_mosaic_stays_as_stored(mosaic_file):
    plain = pydicom.Dataset()
    plain.update(mosaic_file)
    plain.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    assert mosaic_layout(plain) is None
    uncounted = pydicom.Dataset()
    uncounted.update(mosaic_file)
    del uncounted[0x0019, 0x100A]
    for element in [e for e in uncounted if e.tag.group == 0x0029]:
        del uncounted[element.tag]  # no CSA header either: the count is unknown
    assert mosaic_layout(uncounted) is None
    ragged = pydicom.Dataset()
    ragged.update(mosaic_file)
    ragged.Rows = 641  # not a whole number of tiles
    assert mosaic_layout(ragged) is None
