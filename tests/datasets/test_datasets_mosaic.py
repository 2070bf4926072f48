"""Siemens mosaics: tile count from the private tag or the CSA header, tile order, refusals."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
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


def _strip_counts(ds: pydicom.Dataset) -> None:
    """What anonymisers and some exporters do: no tile tag, no CSA image header."""
    del ds[0x0019, 0x100A]
    del ds[0x0029, 0x1010]  # CSA image header (SIEMENS CSA HEADER block 0x10)
    assert (0x0029, 0x1020) in ds  # the series header, with the ASCCONV protocol, stays


def test_without_the_tile_tag_or_csa_image_header_the_protocol_gives_the_count(
        mosaic_file: pydicom.Dataset) -> None:
    layout = mosaic_layout(mosaic_file)
    _strip_counts(mosaic_file)
    assert mosaic_layout(mosaic_file) == layout  # sSliceArray.lSize = 25, same direction
    row, col = mosaic_file.ImageOrientationPatient[:3], mosaic_file.ImageOrientationPatient[3:]
    mosaic_file.ImageOrientationPatient = [*col, *row]
    assert mosaic_layout(mosaic_file).reversed  # asSlice[0].sNormal against the new normal


def test_stripped_mosaic_matches_the_converters_reference_slice_by_slice(
        tmp_path: Path, shared_data: Path) -> None:
    from alstudio.datasets import ScanRecord, discover, read_pixels

    ds = pydicom.dcmread(shared_data / "dicom_transfer_syntaxes" / "In" / "1.dcm")
    _strip_counts(ds)
    ds.save_as(tmp_path / "stripped.dcm")
    (record,) = [r for r in discover([tmp_path]) if isinstance(r, ScanRecord)]
    assert record.shape == (35, 64, 64)
    volume = read_pixels(record.source).array
    # dcm2niix's NIfTI (LAS voxel axes): display axial = k ascending (inferior to superior),
    # rows anterior first (j descending), columns patient right to left (i ascending)
    reference = np.asarray(nib.load(shared_data / "dicom_transfer_syntaxes" / "Ref" /
                                    "1.nii").dataobj)
    assert "".join(nib.aff2axcodes(nib.load(shared_data / "dicom_transfer_syntaxes" / "Ref" /
                                            "1.nii").affine)) == "LAS"
    for k in range(35):
        assert np.array_equal(volume[k], reference[:, ::-1, k].T)
