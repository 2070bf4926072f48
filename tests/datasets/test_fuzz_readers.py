"""Hostile input for every reader, property-based: truncated, bit-flipped and random files end
as a validated image or one typed rejection with a printable reason; never a traceback, never
a hang. A short profile runs in every test run; `-m slow` runs the long one."""

from __future__ import annotations

import gzip
import io
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from alstudio.datasets import (
    ScanImage,
    ScanRecord,
    SkippedFile,
    discover,
    model_input,
    read_pixels,
    verify,
)
from alstudio.errors import ScanReadError

PER_FILE_SECONDS = 10.0  # generous: the machine is shared; a hang is minutes
SHORT = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])
LONG = settings(max_examples=1500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def _png() -> bytes:
    buffer = io.BytesIO()
    pixels = (np.arange(32 * 32, dtype=np.uint16).reshape(32, 32) * 61).astype(np.uint16)
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _tiff() -> bytes:
    buffer = io.BytesIO()
    frames = [Image.fromarray(np.full((16, 16), v, np.uint8)) for v in (10, 90, 200)]
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def _npz() -> bytes:
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    np.savez_compressed(buffer, train_images=rng.integers(0, 255, (6, 28, 28), np.uint8),
                        train_labels=np.array([0, 1, 0, 1, 0, 1], np.uint8))
    return buffer.getvalue()


def _seeds() -> dict[str, bytes]:
    import nibabel
    import pydicom.data

    dicom_dir = Path(pydicom.data.__file__).parent / "test_files"
    nifti_dir = Path(nibabel.__file__).parent / "tests" / "data"
    seeds = {".png": _png(), ".tif": _tiff(), ".npz": _npz()}
    for suffix, path in ((".dcm", dicom_dir / "CT_small.dcm"),
                         (".nii", nifti_dir / "anatomical.nii"),
                         (".nii.gz", nifti_dir / "standard.nii.gz")):
        if path.is_file():
            seeds[suffix] = path.read_bytes()
    return seeds


SEEDS = _seeds()


def assert_valid(image: ScanImage) -> None:
    """What the viewer and the model rely on: pixels, a usable window, finite model input."""
    assert isinstance(image, ScanImage)
    assert image.array.dtype == np.float32 and image.array.size > 0
    assert 2 <= image.array.ndim <= 4
    centre, width = image.window
    assert np.isfinite(centre) and np.isfinite(width) and width > 0, image.window
    try:
        values = model_input(image, 16)
    except ValueError as exc:  # too elongated to pad to a square: the round skips it
        assert "too elongated" in str(exc)
        return
    assert np.isfinite(values).all()


def outcome(path: Path) -> list[str]:
    """Run the whole reader path on one file: headers, then pixels. Each result is 'image'
    or 'rejected: reason'; anything raised here other than the typed rejection is a bug."""
    results = []
    started = time.monotonic()
    for found in discover([path]):
        if isinstance(found, SkippedFile):
            assert isinstance(found.reason, str) and found.reason.strip()
            found.reason.encode("utf-8")
            results.append(f"rejected: {found.reason}")
            continue
        assert isinstance(found, ScanRecord)
        try:
            verify(found.source)
            image = read_pixels(found.source)
        except ScanReadError as exc:
            assert exc.reason.strip()
            exc.reason.encode("utf-8")
            results.append(f"rejected: {exc.reason}")
            continue
        assert_valid(image)
        results.append("image")
    assert time.monotonic() - started < PER_FILE_SECONDS, f"{path.name} took too long"
    return results


class Case:
    """One hostile file; its repr stays short so a failure report is readable."""

    def __init__(self, suffix: str, how: str, data: bytes) -> None:
        self.suffix, self.how, self.data = suffix, how, data

    def __repr__(self) -> str:
        return f"Case({self.suffix} {self.how}, {len(self.data)} bytes)"


@st.composite
def hostile(draw: st.DrawFn) -> Case:
    """A seed file of some format, damaged in one of several ways, or plain random bytes."""
    suffix = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[suffix])
    how = draw(st.sampled_from(["truncate", "flip", "random", "splice", "zero-run"]))
    if how == "truncate":
        data = data[:draw(st.integers(0, len(data)))]
    elif how == "flip":
        for _ in range(draw(st.integers(1, 16))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= 1 << draw(st.integers(0, 7))
    elif how == "random":
        data = bytearray(draw(st.binary(max_size=4096)))
    elif how == "splice":
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=512))
    else:
        at = draw(st.integers(0, max(0, len(data) - 1)))
        data[at:at + draw(st.integers(1, 4096))] = b"\x00" * 64
    return Case(suffix, how, bytes(data))


def _check(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"scan{case.suffix}"
        path.write_bytes(case.data)
        try:
            outcome(path)
        except Exception as exc:
            raise AssertionError(f"{case!r}: {type(exc).__name__}: {exc}") from exc


@SHORT
@given(hostile())
def test_damaged_files_are_read_or_rejected_short(case: Case) -> None:
    _check(case)


@pytest.mark.slow
@LONG
@given(hostile())
def test_damaged_files_are_read_or_rejected_long(case: Case) -> None:
    _check(case)


def test_gzip_without_its_crc_trailer_is_rejected(tmp_path: Path) -> None:
    whole = SEEDS.get(".nii.gz") or gzip.compress(SEEDS[".png"])
    path = tmp_path / "cut.nii.gz"
    path.write_bytes(whole[:-8])  # CRC32 and size gone
    assert all(r.startswith("rejected") or r == "image" for r in outcome(path))
    raw = zlib.decompress(whole, 31)
    assert len(raw) > 0


def test_dicom_claiming_a_huge_image_is_refused_quickly(tmp_path: Path) -> None:
    import pydicom
    import pydicom.data

    source = Path(pydicom.data.__file__).parent / "test_files" / "CT_small.dcm"
    if not source.is_file():
        pytest.skip("pydicom's CT_small.dcm is not installed")
    ds = pydicom.dcmread(source)
    ds.Rows = 65535  # the largest a DICOM US (unsigned short) holds; with frames: 100000²
    ds.Columns = 65535
    ds.NumberOfFrames = 2
    path = tmp_path / "huge.dcm"
    ds.save_as(path)
    started = time.monotonic()
    results = outcome(path)
    assert results and all(r.startswith("rejected") for r in results), results
    assert time.monotonic() - started < 3.0


def test_nifti_full_of_nan_and_inf_is_read_or_rejected(tmp_path: Path) -> None:
    import nibabel

    data = np.full((8, 8, 4), np.nan, np.float32)
    data[::2] = np.inf
    data[1, 1, 1] = -np.inf
    path = tmp_path / "nan.nii.gz"
    nibabel.save(nibabel.Nifti1Image(data, np.eye(4)), path)
    results = outcome(path)
    assert len(results) == 1


def test_empty_unreadable_and_looping_folders(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert outcome(tmp_path / "empty") == []
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop, target_is_directory=True)
    (loop / "a").symlink_to(loop / "b")
    (loop / "b").symlink_to(loop / "a")
    started = time.monotonic()
    outcome(loop)
    assert time.monotonic() - started < 5.0
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.png").write_bytes(SEEDS[".png"])
    locked.chmod(0)
    try:
        outcome(locked)  # as root the folder is still readable; otherwise one rejection
    finally:
        locked.chmod(0o755)
