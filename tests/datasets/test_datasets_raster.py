"""PNG/JPEG/TIFF through Pillow, made here with Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from alstudio.datasets import ScanRecord, SkippedFile, discover, read_pixels


def _one(path: Path) -> ScanRecord | SkippedFile:
    (item,) = discover([path])
    return item


@pytest.mark.parametrize("suffix", ["png", "tif"])
def test_16_bit_values_are_preserved(tmp_path: Path, suffix: str) -> None:
    values = (np.arange(40 * 30, dtype=np.uint32).reshape(40, 30) * 50).astype(np.uint16)
    path = tmp_path / f"deep.{suffix}"
    Image.fromarray(values).save(path)
    record = _one(path)
    assert isinstance(record, ScanRecord)
    assert record.source.kind == "raster"
    assert record.shape == (40, 30)
    assert record.metadata["bits"] == 16
    image = read_pixels(record.source)
    assert not image.is_rgb
    assert np.array_equal(image.array, values.astype(np.float32))
    assert values.max() > 255  # really beyond 8 bits


def test_8_bit_grey_and_identity_window(tmp_path: Path) -> None:
    values = np.tile(np.arange(256, dtype=np.uint8), (10, 1))
    path = tmp_path / "grey.png"
    Image.fromarray(values).save(path)
    image = read_pixels(_one(path).source)
    assert image.window == (128.0, 256.0)
    from alstudio.datasets import apply_window

    assert np.array_equal(apply_window(image.array, *image.window), values)


def test_rgb_rgba_and_palette(tmp_path: Path) -> None:
    rgb = np.zeros((8, 9, 3), dtype=np.uint8)
    rgb[..., 0] = 200
    rgb[..., 2] = 50
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    rgba = np.dstack([rgb, np.full((8, 9), 128, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE).save(tmp_path / "palette.png")
    grey = Image.fromarray(np.arange(72, dtype=np.uint8).reshape(8, 9)).convert("P")
    grey.save(tmp_path / "grey_palette.png")
    Image.fromarray(rgb).save(tmp_path / "photo.jpg", quality=95)
    records = {Path(r.source.path).name: r for r in discover([tmp_path])}
    for name in ("rgb.png", "rgba.png", "palette.png", "photo.jpg"):
        record = records[name]
        assert record.shape == (8, 9, 3), name
        image = read_pixels(record.source)
        assert image.is_rgb and image.array.shape == (8, 9, 3)
        assert np.abs(image.array - rgb).max() <= 6, name  # JPEG is lossy
    grey_record = records["grey_palette.png"]
    assert grey_record.shape == (8, 9)
    grey_image = read_pixels(grey_record.source)
    assert not grey_image.is_rgb
    assert np.array_equal(grey_image.array, np.arange(72, dtype=np.float32).reshape(8, 9))


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    values = np.zeros((10, 20), dtype=np.uint8)
    values[0, 19] = 255  # top-right
    image = Image.fromarray(values)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    image.save(tmp_path / "rotated.jpg", exif=exif, quality=100)
    record = _one(tmp_path / "rotated.jpg")
    assert record.shape == (20, 10)
    assert read_pixels(record.source).array.shape == (20, 10)


def test_broken_images_are_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    Image.fromarray(np.arange(10000, dtype=np.uint8).reshape(100, 100)).save(good)
    data = good.read_bytes()
    (tmp_path / "truncated.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("not an image\n")
    good.unlink()
    reasons = {Path(i.path).name: i.reason for i in discover([tmp_path])
               if isinstance(i, SkippedFile)}
    assert reasons["empty.png"] == "empty file (0 bytes)"
    assert reasons["text.png"] == "cannot decode: not a valid PNG/JPEG/TIFF file"
    assert reasons["truncated.png"].startswith("cannot decode:")


def test_raster_modality_is_left_unknown(tmp_path: Path) -> None:
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "a.png")
    record = _one(tmp_path / "a.png")
    assert record.modality is None
    assert read_pixels(record.source).modality is None


def test_a_tiff_of_equal_pages_is_a_volume(tmp_path: Path) -> None:
    slices = [(np.arange(20 * 30, dtype=np.uint16).reshape(20, 30) + 1000 * k) for k in range(5)]
    path = tmp_path / "stack.tif"
    pages = [Image.fromarray(s) for s in slices]
    pages[0].save(path, save_all=True, append_images=pages[1:])
    record = _one(path)
    assert isinstance(record, ScanRecord)
    assert record.shape == (5, 20, 30) and record.metadata["pages"] == 5
    image = read_pixels(record.source)
    assert np.array_equal(image.array, np.stack(slices).astype(np.float32))


def test_a_pyramid_opens_at_its_largest_level_within_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from alstudio.datasets import raster

    rng = np.random.default_rng(0)
    levels = [rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
              for h, w in ((300, 400), (150, 200), (75, 100))]
    path = tmp_path / "slide.tif"
    pages = [Image.fromarray(level) for level in levels]
    pages[0].save(path, save_all=True, append_images=pages[1:])
    monkeypatch.setattr(raster, "MAX_PIXELS", 200 * 150)
    record = _one(path)
    assert isinstance(record, ScanRecord)
    assert record.shape == (150, 200, 3)
    assert record.metadata["pages"] == 3 and record.metadata["page"] == 1
    image = read_pixels(record.source)
    assert image.is_rgb and np.array_equal(image.array, levels[1].astype(np.float32))

    monkeypatch.setattr(raster, "MAX_PIXELS", 50 * 50)  # not even the smallest level fits
    skipped = _one(path)
    assert isinstance(skipped, SkippedFile)
    assert skipped.reason.startswith("too large to read whole: 400 x 300 pixels")
    assert "downsampled copy" in skipped.reason
