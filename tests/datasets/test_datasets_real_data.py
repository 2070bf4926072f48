"""The readers against the real third-party scans in ../shared/data."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from alstudio.datasets import ScanRecord, SkippedFile, read_pixels, verify
from alstudio.datasets.dicom import METADATA_TAGS
from alstudio.datasets.dicom.geometry import slice_normal
from alstudio.datasets.discovery import is_ignored
from alstudio.datasets.npz import ARRAY_CACHE
from alstudio.errors import ScanReadError

T1_SERIES = "dicom_mr_series/HFS/3_t1_fl2d_sag"
DIFFUSION = "dicom_mr_series/HFS/4_ep2d_diff_mddw_20_p2"
TRANSFER = "dicom_transfer_syntaxes"
ENHANCED = "dicom_enhanced_multiframe"

#: Keys discovery derives itself (everything else must be an allow-listed DICOM keyword).
DERIVED_KEYS = {"TransferSyntaxUID", "NumberOfFrames", "orientation", "WindowCenter",
                "WindowWidth", "slices", "slice_spacing_irregular", "format", "axcodes", "view",
                "datatype", "volumes", "split", "index", "labels", "mode", "bits", "pages",
                "mosaic_tiles", "volume", "page", "axes", "warnings"}


def under(records: list[ScanRecord], fragment: str) -> list[ScanRecord]:
    return [r for r in records if fragment in r.source.files[0]]


def test_every_shared_file_is_an_item_or_skipped_with_a_reason(
        shared_data: Path, shared_items: list[ScanRecord | SkippedFile]) -> None:
    covered: set[str] = set()
    for item in shared_items:
        if isinstance(item, SkippedFile):
            assert item.reason and "\n" not in item.reason
            covered.add(item.path)
        else:
            covered.update(item.source.files)
    for root, _dirs, files in os.walk(shared_data):
        for name in files:
            path = os.path.join(root, name)
            if not is_ignored(name, set(files)):
                assert path in covered, f"{path} was neither imported nor reported"


def test_every_shared_record_decodes(shared_records: list[ScanRecord]) -> None:
    seen_npz = False
    for record in shared_records:
        if record.source.kind == "npz":  # 780 tiny images: check a few, not all
            if seen_npz:
                continue
            seen_npz = True
        try:
            image = read_pixels(record.source)
        except ScanReadError as exc:  # allowed, but none of the shared files is broken
            pytest.fail(f"{record.source.path}: {exc.reason}")
        assert image.array.dtype == np.float32
        assert image.array.shape == record.shape
        assert (image.spacing is None) == (record.spacing is None)
        if image.spacing is not None:
            assert image.spacing == pytest.approx(record.spacing, abs=1e-4)


def test_t1_series_is_one_volume_in_slice_order(shared_records: list[ScanRecord]) -> None:
    series = under(shared_records, T1_SERIES)
    assert len(series) == 1
    record = series[0]
    assert record.source.kind == "dicom-series"
    assert len(record.source.files) == 35
    assert record.shape == (35, 256, 256)
    assert record.modality == "MR"
    assert record.spacing == pytest.approx((4.8, 1.015625, 1.015625), abs=1e-3)
    assert record.metadata["orientation"] == "sagittal"

    headers = [pydicom.dcmread(f, stop_before_pixels=True) for f in record.source.files]
    normal = slice_normal([float(v) for v in headers[0].ImageOrientationPatient])
    offsets = [float(np.dot([float(v) for v in h.ImagePositionPatient], normal))
               for h in headers]
    assert np.diff(offsets) == pytest.approx([4.8] * 34, abs=1e-3)
    # normal = row x col = (0,1,0) x (0,0,-1) = (-1,0,0): ascending along it means the
    # instance numbers (acquired right to left, x ascending) come out reversed
    assert [int(h.InstanceNumber) for h in headers] == list(range(35, 0, -1))

    hashes = [hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in record.source.files]
    assert record.content_hash == hashlib.sha256("\n".join(hashes).encode()).hexdigest()

    image = read_pixels(record.source)
    assert image.array.shape == (35, 256, 256)
    for index in (0, 17, 34):
        ds = pydicom.dcmread(record.source.files[index])
        assert np.array_equal(image.array[index], ds.pixel_array.astype(np.float32))
    centre = pydicom.dcmread(record.source.files[17])
    assert image.window == (float(centre.WindowCenter), float(centre.WindowWidth))


def test_diffusion_mosaics_are_volumes_of_their_tiles(shared_records: list[ScanRecord]) -> None:
    """13 Siemens mosaics (b=0 and 12 directions), each 5 x 5 tiles of 128 x 128 slices."""
    items = under(shared_records, DIFFUSION)
    assert len(items) == 13
    assert all(r.source.kind == "dicom" and r.shape == (25, 128, 128) for r in items)
    record = items[0]
    assert record.metadata["mosaic_tiles"] == 25
    assert record.spacing == pytest.approx((5.2, 1.71875, 1.71875))
    image = read_pixels(record.source)
    assert image.array.shape == (25, 128, 128)
    stored = pydicom.dcmread(record.source.files[0]).pixel_array.astype(np.float32)
    # tiles row by row: slice 7 is the second row's third tile
    assert np.array_equal(image.array[0], stored[:128, :128])
    assert np.array_equal(image.array[7], stored[128:256, 256:384])
    # the CSA slice normal agrees with ImageOrientationPatient's here: stored order kept,
    # inferior to superior (the head's cross-section grows, then shrinks)
    areas = (image.array > image.window[0] / 4).sum(axis=(1, 2))
    assert areas.argmax() not in (0, 24) and areas[0] < areas[12] > areas[24]


def test_nine_transfer_syntaxes_decode_to_identical_pixels(
        shared_data: Path, shared_records: list[ScanRecord]) -> None:
    items = sorted(under(shared_records, f"{TRANSFER}/In/"), key=lambda r: r.source.path)
    assert len(items) == 9
    assert all(r.source.kind == "dicom" for r in items)  # same position: no volume
    assert len({r.content_hash for r in items}) == 9  # different bytes, different items
    arrays = [read_pixels(r.source).array for r in items]
    for array in arrays[1:]:
        assert np.array_equal(array, arrays[0])

    # The image is a Siemens mosaic: 6x6 tiles of 64x64 holding 35 slices, read as a volume.
    # dcm2niix's reference stores slice k transposed and flipped; DICOM and NIfTI share one
    # display orientation (radiological, axial here), so the mosaic's volume, dcm2niix's and
    # our NIfTI reading all agree.
    assert all(r.shape == (35, 64, 64) for r in items)
    volume = arrays[0]
    assert volume.shape == (35, 64, 64)
    reference = shared_data / TRANSFER / "Ref" / "1.nii"
    raw = np.asarray(nib.load(reference).dataobj)
    assert raw.shape == (64, 64, 35)
    ours = read_pixels(under(shared_records, f"{TRANSFER}/Ref/1.nii")[0].source).array
    for k in range(35):
        assert np.array_equal(raw[:, :, k].T[::-1], volume[k])
        assert np.array_equal(ours[k], volume[k])


def test_enhanced_multiframe_files_are_volumes(shared_records: list[ScanRecord]) -> None:
    items = under(shared_records, ENHANCED)
    assert len(items) == 10
    for record in items:
        assert record.source.kind == "dicom"
        assert record.shape == (63, 86, 86)
        assert record.metadata["NumberOfFrames"] == 63
        assert record.spacing == pytest.approx((2.2, 2.23256, 2.23256), abs=1e-4)
    image = read_pixels(items[0].source)
    raw = pydicom.dcmread(items[0].source.path).pixel_array.astype(np.float32)
    # frames are stored left to right (x ascending); the normal points to -x, so the
    # volume comes out in reverse stored order, like the classic series
    assert np.array_equal(image.array, raw[::-1])


def test_mni_template_shape_and_spacing(shared_records: list[ScanRecord]) -> None:
    (t1,) = under(shared_records, "mni_icbm152_t1_tal_nlin_sym_09a")
    assert t1.source.kind == "nifti"
    assert nib.load(t1.source.path).shape == (197, 233, 189)  # x, y, z of ICBM152 2009a
    assert t1.shape == (189, 233, 197)  # axial slices (z), rows (y), cols (x)
    assert t1.spacing == (1.0, 1.0, 1.0)
    assert t1.metadata["view"] == "axial"
    assert t1.metadata["axcodes"] == "RAS"


def test_breastmnist_splits_and_reference_labels(shared_records: list[ScanRecord]) -> None:
    # shared/data holds other MedMNIST archives too (RetinaMNIST): only BreastMNIST here
    items = [r for r in shared_records
             if r.source.kind == "npz" and Path(r.source.path).name == "breastmnist.npz"]
    assert len(items) == 780
    pool = [r for r in items if r.split_hint == "pool"]
    test = [r for r in items if r.split_hint == "test"]
    assert len(pool) == 546 + 78 and len(test) == 156
    assert sum(1 for r in items if r.source.member and r.source.member.startswith("val:")) == 78
    labels = {split: [r.reference_label for r in items if r.metadata["split"] == split]
              for split in ("train", "val", "test")}
    assert (labels["train"].count(0), labels["train"].count(1)) == (147, 399)
    assert (labels["val"].count(0), labels["val"].count(1)) == (21, 57)
    assert (labels["test"].count(0), labels["test"].count(1)) == (42, 114)
    assert all(r.shape == (28, 28) and r.modality is None for r in items)

    record = next(r for r in items if r.source.member == "train:12")
    with np.load(record.source.path) as archive:
        expected = archive["train_images"][12]
    ARRAY_CACHE.clear()
    loads = ARRAY_CACHE.loads
    image = read_pixels(record.source)
    assert np.array_equal(image.array, expected.astype(np.float32))
    for other in pool[:300]:
        read_pixels(other.source)
    assert ARRAY_CACHE.loads - loads <= 2  # train (and maybe val) decompressed once each


def test_content_hashes_are_stable(shared_data: Path,
                                   shared_records: list[ScanRecord]) -> None:
    from alstudio.datasets import discover

    again = [r for r in discover([shared_data / "dicom_mr_series"]) if isinstance(r, ScanRecord)]
    before = {r.source.files: r.content_hash for r in under(shared_records, "dicom_mr_series")}
    assert {r.source.files: r.content_hash for r in again} == before
    single = under(shared_records, DIFFUSION)[0]
    assert single.content_hash == hashlib.sha256(Path(single.source.path).read_bytes()).hexdigest()


def test_metadata_is_allow_listed_and_anonymous(shared_records: list[ScanRecord]) -> None:
    allowed = set(METADATA_TAGS) | DERIVED_KEYS
    for record in shared_records:
        assert set(record.metadata) <= allowed, set(record.metadata) - allowed
        assert all(isinstance(v, (str, int, float)) for v in record.metadata.values())
    dicoms = [r for r in shared_records if r.source.kind.startswith("dicom")]
    for record in dicoms[:20]:
        ds = pydicom.dcmread(record.source.path, stop_before_pixels=True)
        # (the test subject here is literally named "HFS", like the PatientPosition value,
        # so very short values are not compared)
        private = [str(ds.get(k)) for k in ("PatientName", "PatientID", "PatientBirthDate",
                                            "InstitutionName", "AccessionNumber")
                   if len(str(ds.get(k) or "")) >= 4]
        assert private
        for value in record.metadata.values():
            assert not any(p in str(value) for p in private)


def test_verify_accepts_every_shared_dicom(shared_records: list[ScanRecord]) -> None:
    for record in shared_records:
        if record.source.kind.startswith("dicom"):
            verify(record.source)
