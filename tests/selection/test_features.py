"""Cold-start PCA features: shapes, determinism, bounded inputs, and that they separate."""

from __future__ import annotations

import numpy as np

from alstudio.selection import select, unsupervised_features


def _two_kinds(n: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    imgs = rng.random((n, 48, 40)).astype(np.float32) * 0.2
    imgs[n // 2:, 10:30, 10:30] += 1.0  # half the "scans" have a bright square
    return imgs


def test_shape_determinism_and_separation() -> None:
    imgs = _two_kinds()
    f = unsupervised_features(imgs, dim=10, seed=3)
    assert f.shape == (200, 10) and f.dtype == np.float32
    np.testing.assert_array_equal(f, unsupervised_features(imgs, dim=10, seed=3))
    # The first component separates the two kinds of image.
    a, b = f[:100, 0], f[100:, 0]
    assert min(a.max(), b.max()) < max(a.min(), b.min())
    sel = select("coreset", k=2, embeddings=f)
    assert {int(i) >= 100 for i in sel.indices} == {False, True}


def test_subsampled_fit_blocks_and_layouts(tmp_path) -> None:
    imgs = _two_kinds(300)
    mm = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32,
                                   shape=imgs.shape)
    mm[:] = imgs
    f = unsupervised_features(mm, dim=5, fit_sample=100, block=64)
    assert f.shape == (300, 5)
    vol = np.random.default_rng(0).random((20, 1, 8, 16, 16)).astype(np.float32)
    assert unsupervised_features(vol, dim=50).shape == (20, 20)  # capped at the sample size
    rgb = np.random.default_rng(0).random((30, 3, 20, 20)).astype(np.float32)
    assert unsupervised_features(rgb, dim=4).shape == (30, 4)
