"""Archive members scaled as one batch give the same model inputs as one at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alstudio.datasets import ScanSource, model_input, read_pixels
from alstudio.datasets.batch_inputs import model_inputs_of
from alstudio.errors import ScanReadError


@pytest.mark.parametrize("size", [16, 28, 64])
def test_batch_equals_one_at_a_time(tmp_path: Path, size: int) -> None:
    rng = np.random.default_rng(5)
    images = rng.integers(0, 255, (40, 28, 28), dtype=np.uint8)
    images[3] = 7  # flat: all zeros out
    images[4, :, :14] = 0  # two values only
    images[4, :, 14:] = 200
    path = tmp_path / "a.npz"
    np.savez_compressed(path, train_images=images, train_labels=np.zeros(40, np.uint8))
    sources = [ScanSource("npz", (str(path),), f"train:{i}") for i in range(40)]
    sources.append(ScanSource("npz", (str(path),), "train:99"))  # out of range
    sources.append(ScanSource("raster", (str(tmp_path / "gone.png"),)))
    batch = model_inputs_of(sources, size)
    for source, got in zip(sources[:40], batch[:40], strict=True):
        expected = model_input(read_pixels(source), size)
        assert got.shape == (1, size, size) and got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert isinstance(batch[40], ScanReadError) and "out of range" in batch[40].reason
    assert isinstance(batch[41], ScanReadError) and "not found" in batch[41].reason


def test_a_hugely_elongated_image_is_skipped_not_padded(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "thin.png"
    Image.fromarray(np.arange(200_000, dtype=np.uint8).reshape(1, 200_000) % 255).save(path)
    (result,) = model_inputs_of([ScanSource("raster", (str(path),))], 16)
    assert isinstance(result, ScanReadError) and "too elongated" in result.reason
