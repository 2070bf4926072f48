"""Window presets and the uint8 display mapping."""

from __future__ import annotations

import numpy as np
import pytest

from alstudio.datasets import apply_window, window_presets
from alstudio.datasets.windowing import percentile_window


def test_apply_window_maps_the_window_onto_0_255() -> None:
    values = np.array([-1000.0, -161.0, 39.5, 40.0, 240.0, 3000.0], dtype=np.float32)
    out = apply_window(values, 40.0, 400.0)  # abdomen: -160 .. 240
    assert out.dtype == np.uint8
    assert out[0] == 0 and out[1] == 0
    assert 126 <= out[2] <= 129
    assert out[-2] == 255 and out[-1] == 255
    inverted = apply_window(values, 40.0, 400.0, invert=True)
    assert np.array_equal(inverted.astype(int), 255 - out.astype(int))


def test_apply_window_keeps_shape_and_handles_width_one() -> None:
    volume = np.linspace(-10, 10, 2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    assert apply_window(volume, 0.0, 20.0).shape == (2, 3, 4)
    threshold = apply_window(volume, 0.5, 1.0)
    assert set(np.unique(threshold)) == {0, 255}
    assert np.array_equal(threshold == 255, volume > 0.0)
    rgb = np.full((2, 2, 3), 128.0, dtype=np.float32)
    assert apply_window(rgb, 128.0, 256.0).tolist() == np.full((2, 2, 3), 128).tolist()


def test_ct_presets() -> None:
    presets = window_presets("CT")
    assert presets == {
        "brain": (40.0, 80.0), "subdural": (75.0, 215.0), "lung": (-600.0, 1500.0),
        "mediastinum": (50.0, 350.0), "bone": (400.0, 1800.0), "abdomen": (40.0, 400.0),
        "liver": (60.0, 160.0),
    }


@pytest.mark.parametrize("modality", ["MR", "US", "XR", None])
def test_other_modalities_get_data_driven_windows(modality: str | None) -> None:
    assert window_presets(modality) == {}
    data = np.random.default_rng(1).normal(500, 100, (64, 64)).astype(np.float32)
    presets = window_presets(modality, data)
    assert set(presets) == {"auto", "full range"}
    low, high = float(data.min()), float(data.max())
    assert presets["full range"] == pytest.approx(((low + high) / 2, high - low))
    assert presets["auto"][1] < presets["full range"][1]


def test_percentile_window_ignores_hot_pixels_and_nan() -> None:
    data = np.zeros((100, 100), dtype=np.float32)
    data[:50] = 100.0
    data[0, 0] = 1e6  # one hot pixel
    data[0, 1] = np.nan
    centre, width = percentile_window(data)
    assert (centre, width) == pytest.approx((50.0, 100.0))
    flat = np.full((5, 5), 7.0, dtype=np.float32)
    assert percentile_window(flat) == (7.0, 1.0)
