"""model_input: the small normalised plane the models see."""

from __future__ import annotations

import numpy as np
import pytest

from alstudio.datasets import ScanImage, model_input


def _image(array: np.ndarray, is_rgb: bool = False) -> ScanImage:
    return ScanImage(array=array.astype(np.float32), spacing=None, window=(0.0, 1.0),
                     modality=None, is_rgb=is_rgb)


def test_shape_dtype_and_range() -> None:
    data = np.random.default_rng(0).normal(0, 1000, (300, 200)).astype(np.float32)
    out = model_input(_image(data))
    assert out.shape == (1, 64, 64) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert model_input(_image(data), size=28).shape == (1, 28, 28)


def test_volume_uses_the_central_slice() -> None:
    volume = np.zeros((5, 32, 32), dtype=np.float32)
    volume[2, 8:24, 8:24] = 100.0  # only the central slice has a square
    out = model_input(_image(volume), size=32)[0]
    assert out[16, 16] == pytest.approx(1.0)
    assert out[1, 1] == pytest.approx(0.0)


def test_aspect_is_kept_by_padding() -> None:
    wide = np.ones((20, 80), dtype=np.float32)
    wide[:, :40] = 0.5
    out = model_input(_image(wide), size=40)[0]
    assert np.allclose(out[:12], 0.0)  # padding above (rows 0..14 in the 40 px square)
    assert np.allclose(out[-12:], 0.0)
    assert out[20].max() == pytest.approx(1.0)


def test_rgb_becomes_luminance_when_one_channel_is_asked_for() -> None:
    rgb = np.zeros((16, 16, 3), dtype=np.float32)
    rgb[:8, :, 1] = 255.0  # green top half: bright in luminance
    rgb[8:, :, 2] = 255.0  # blue bottom half: dark
    out = model_input(_image(rgb, is_rgb=True), size=16, channels=1)
    assert out.shape == (1, 16, 16)
    assert out[0, 2].mean() > out[0, 13].mean()


def test_colour_stays_colour() -> None:
    rgb = np.zeros((20, 16, 3), dtype=np.float32)
    rgb[:10, :, 0] = 200.0  # red top half
    rgb[10:, :, 2] = 100.0  # dimmer blue bottom half
    out = model_input(_image(rgb, is_rgb=True), size=16)
    assert out.shape == (3, 16, 16) and out.dtype == np.float32
    red, green, blue = out[:, 4, 8]
    assert red > 0.9 and green == 0.0 and blue == 0.0
    red, green, blue = out[:, 11, 8]
    assert red == 0.0 and 0.3 < blue < 0.7  # one range for all channels: half as bright
    grey = model_input(_image(np.arange(64.0).reshape(8, 8)), size=8, channels=3)
    assert grey.shape == (3, 8, 8) and np.array_equal(grey[0], grey[2])
    with pytest.raises(ValueError):
        model_input(_image(rgb, is_rgb=True), size=8, channels=2)


def test_flat_and_non_finite_images_are_safe() -> None:
    assert np.array_equal(model_input(_image(np.full((10, 10), 3.0)), size=8),
                          np.zeros((1, 8, 8), np.float32))
    data = np.arange(100, dtype=np.float32).reshape(10, 10)
    data[0, 0] = np.nan
    data[0, 1] = np.inf
    out = model_input(_image(data), size=8)
    assert np.isfinite(out).all()


def test_downsampling_is_antialiased() -> None:
    stripes = np.zeros((512, 512), dtype=np.float32)
    stripes[:, ::2] = 1.0  # one-pixel stripes alias badly without area averaging
    out = model_input(_image(stripes), size=64)[0]
    assert out[8:56, 8:56].std() < 0.05
    assert out[8:56, 8:56].mean() == pytest.approx(0.5, abs=0.05)
