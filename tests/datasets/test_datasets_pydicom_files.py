"""pydicom's own test files: every decodable one gives pixels, every broken one a reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import ExplicitVRLittleEndian

from alstudio.datasets import ScanRecord, SkippedFile, apply_window, discover, read_pixels
from alstudio.datasets._common import is_internal
from alstudio.datasets.records import ScanSource
from alstudio.errors import ScanReadError

#: Files that pydicom itself cannot decode with the installed plugins.
UNDECODABLE = {"JPEG-lossy.dcm", "JPEG2000-embedded-sequence-delimiter.dcm"}


def _source(folder: Path, name: str) -> ScanSource:
    return ScanSource("dicom", (str(folder / name),))


def test_nothing_raises_and_decodable_files_give_pixels(
        pydicom_test_files: Path, pydicom_items: list[ScanRecord | SkippedFile]) -> None:
    decoded: set[str] = set()
    failed: dict[str, str] = {}
    for item in pydicom_items:
        if isinstance(item, SkippedFile):
            assert item.reason and "\n" not in item.reason and len(item.reason) < 200
            continue
        try:
            image = read_pixels(item.source)
        except ScanReadError as exc:
            assert "\n" not in exc.reason
            failed[Path(item.source.path).name] = exc.reason
            continue
        assert image.array.shape == item.shape
        assert np.isfinite(image.array).all()
        decoded.update(item.source.files)
    assert set(failed) == UNDECODABLE
    assert all(r.startswith("cannot decode:") for r in failed.values())
    # 89 files decode with ds.pixel_array; every one of them decodes here too
    assert len(decoded) == 89


@pytest.mark.parametrize(("name", "reason"), [
    ("MR_truncated.dcm", "truncated pixel data"),
    ("dicomdirtests/DICOMDIR", "no pixel data (a DICOMDIR)"),
    ("test-SR.dcm", "no pixel data (Comprehensive SR Storage)"),
    ("rtplan.dcm", "no pixel data (RT Plan Storage)"),
    ("ExplVR_LitEndNoMeta.dcm", "no pixel data (RT Ion Plan Storage)"),  # read without meta
    ("no_meta.dcm", "not a DICOM file"),
    ("badVR.dcm", "invalid DICOM header: invalid literal for int() with base 10: '1A'"),
    ("nested_priv_SQ.dcm", "incomplete image header: no Rows, Columns, BitsAllocated"),
    ("README.txt", None),  # quietly ignored
    ("rtplan.dump", "not a recognised scan format (DICOM, NIfTI, PNG/JPEG/TIFF, .npz)"),
])
def test_known_files_are_skipped_with_their_reason(
        pydicom_test_files: Path, pydicom_items: list[ScanRecord | SkippedFile],
        name: str, reason: str | None) -> None:
    path = str(pydicom_test_files / name)
    skipped = {i.path: i.reason for i in pydicom_items if isinstance(i, SkippedFile)}
    recorded = {f for i in pydicom_items if isinstance(i, ScanRecord) for f in i.source.files}
    assert path not in recorded
    assert skipped.get(path) == reason


def test_undecodable_files_fail_verify_with_a_reason(pydicom_test_files: Path) -> None:
    from alstudio.datasets import verify

    for name in UNDECODABLE:
        with pytest.raises(ScanReadError) as info:
            verify(_source(pydicom_test_files, name))
        assert info.value.path.endswith(name)
        assert info.value.reason.startswith("cannot decode: ")
        assert not is_internal(info.value.reason), info.value.reason


def test_ct_pixels_are_hounsfield_units(pydicom_test_files: Path) -> None:
    image = read_pixels(_source(pydicom_test_files, "CT_small.dcm"))
    ds = pydicom.dcmread(pydicom_test_files / "CT_small.dcm")
    expected = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    assert np.array_equal(image.array, expected.astype(np.float32))
    assert image.modality == "CT"
    assert image.presets["lung"] == (-600.0, 1500.0)
    assert image.spacing == pytest.approx((0.661468, 0.661468))


def test_monochrome1_is_mirrored_so_bright_means_dense(pydicom_test_files: Path) -> None:
    name = "dicomdirtests/77654033/CR1/6154"
    ds = pydicom.dcmread(pydicom_test_files / name)
    assert ds.PhotometricInterpretation == "MONOCHROME1"
    stored = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    image = read_pixels(_source(pydicom_test_files, name))
    mirror = 4095 * float(ds.RescaleSlope) + 2 * float(ds.RescaleIntercept)  # 12 bits stored
    assert np.allclose(image.array, mirror - stored, atol=1e-3)
    # the file's window shows the mirrored image exactly as the inverted original
    centre, width = float(ds.WindowCenter), float(ds.WindowWidth)
    assert image.window == pytest.approx((mirror - centre, width))
    shown = apply_window(image.array, *image.window).astype(int)
    original = apply_window(stored, centre, width, invert=True).astype(int)
    assert np.abs(shown - original).max() <= 1


def test_monochrome1_written_from_a_monochrome2_file(tmp_path: Path,
                                                     pydicom_test_files: Path) -> None:
    ds = pydicom.dcmread(pydicom_test_files / "MR_small.dcm")
    original = ds.pixel_array.astype(np.float32)
    ds.PhotometricInterpretation = "MONOCHROME1"
    target = tmp_path / "mono1.dcm"
    ds.save_as(target)
    image = read_pixels(ScanSource("dicom", (str(target),)))
    low, high = -(2.0 ** (ds.BitsStored - 1)), 2.0 ** (ds.BitsStored - 1) - 1  # signed
    assert np.array_equal(image.array, (low + high) - original)
    assert np.corrcoef(image.array.ravel(), original.ravel())[0, 1] == pytest.approx(-1.0)


def test_rgb_and_ybr_decode_to_the_same_colours(pydicom_test_files: Path) -> None:
    rle = read_pixels(_source(pydicom_test_files, "SC_rgb_rle.dcm"))
    assert rle.is_rgb and rle.array.shape == (100, 100, 3)
    assert rle.array[5, 50].tolist() == [255.0, 0.0, 0.0]  # the red bar
    for name in ("SC_rgb_rle_16bit.dcm", "SC_rgb_rle_32bit.dcm"):  # deeper samples scaled
        deep = read_pixels(_source(pydicom_test_files, name))
        assert np.abs(deep.array - rle.array).max() <= 1.0
    for name in ("SC_rgb_dcmtk_+eb+cy+n1.dcm", "SC_ybr_full_422_uncompressed.dcm",
                 "SC_rgb_jpeg_gdcm.dcm"):
        other = read_pixels(_source(pydicom_test_files, name))
        assert np.abs(other.array - rle.array).mean() < 3.0, name
    palette = read_pixels(_source(pydicom_test_files, "examples_palette.dcm"))
    assert palette.is_rgb and palette.array.shape == (350, 800, 3)
    cine = read_pixels(_source(pydicom_test_files, "examples_ybr_color.dcm"))
    assert cine.is_rgb and cine.is_volume and cine.array.shape == (30, 240, 320, 3)


def test_rt_dose_frames_and_scaling(pydicom_test_files: Path) -> None:
    ds = pydicom.dcmread(pydicom_test_files / "rtdose.dcm")
    image = read_pixels(_source(pydicom_test_files, "rtdose.dcm"))
    assert image.array.shape == (15, 10, 10)
    assert image.spacing == pytest.approx((5.0, 10.0, 10.0))
    expected = ds.pixel_array * float(ds.DoseGridScaling)
    assert np.allclose(image.array, expected, rtol=1e-6)


def test_series_without_positions_falls_back_to_instance_number(
        tmp_path: Path, pydicom_test_files: Path) -> None:
    source = pydicom.dcmread(pydicom_test_files / "MR_small.dcm")
    for number in (3, 1, 2):  # written out of order, and with slightly different pixels
        ds = pydicom.dcmread(pydicom_test_files / "MR_small.dcm")
        del ds.ImagePositionPatient
        ds.InstanceNumber = number
        ds.SOPInstanceUID = f"{source.SOPInstanceUID}.{number}"
        pixels = ds.pixel_array.copy()
        pixels[0, 0] = number
        ds.PixelData = pixels.tobytes()
        ds.save_as(tmp_path / f"slice{number}.dcm")
    records = [r for r in discover([tmp_path]) if isinstance(r, ScanRecord)]
    assert len(records) == 1
    (record,) = records
    assert record.source.kind == "dicom-series"
    assert [Path(f).name for f in record.source.files] == ["slice1.dcm", "slice2.dcm",
                                                          "slice3.dcm"]
    image = read_pixels(record.source)
    assert image.array[:, 0, 0].tolist() == [1.0, 2.0, 3.0]


def test_missing_transfer_syntax_is_inferred(tmp_path: Path, pydicom_test_files: Path) -> None:
    ds = pydicom.dcmread(pydicom_test_files / "MR_small.dcm")
    assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    expected = ds.pixel_array.astype(np.float32)
    del ds.file_meta.TransferSyntaxUID
    target = tmp_path / "no_ts.dcm"
    ds.save_as(target, enforce_file_format=False, implicit_vr=False, little_endian=True)
    (record,) = [r for r in discover([target]) if isinstance(r, ScanRecord)]
    assert np.array_equal(read_pixels(record.source).array, expected)


def test_a_bad_slice_names_itself(tmp_path: Path, pydicom_test_files: Path) -> None:
    import shutil

    for source in sorted((pydicom_test_files / "dicomdirtests/98892001/CT5N").iterdir()):
        shutil.copy(source, tmp_path / source.name)
    (record,) = [r for r in discover([tmp_path]) if isinstance(r, ScanRecord)]
    assert record.source.kind == "dicom-series" and len(record.source.files) == 5
    victim = Path(record.source.files[2])
    victim.write_bytes(victim.read_bytes()[:-100])
    with pytest.raises(ScanReadError) as info:
        read_pixels(record.source)
    assert info.value.path == str(victim)
    assert info.value.reason == "slice 3 of 5: truncated pixel data"
    victim.unlink()
    with pytest.raises(ScanReadError) as info:
        read_pixels(record.source)
    assert info.value.path == str(victim)
    assert info.value.reason.startswith("file not found")
