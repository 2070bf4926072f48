"""Unsupervised features for a cold start: PCA of downsampled images.

Before any model is trained there are no embeddings to run core-set on. A PCA of the images,
downsampled to a small grid and standardised per pixel, is a cheap stand-in that separates
body parts, contrasts and protocols well enough to spread the first labels out.

Memory stays bounded: images are downsampled in blocks, the mean, scale and principal axes
are fitted on a seeded subsample of at most ``fit_sample`` rows, and all rows are projected
block by block. Only the (N, dim) result is proportional to N.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, check, report


def _downsample(block: np.ndarray, side: int) -> torch.Tensor:
    """(b, ...) images -> (b, features) float32, spatial axes average-pooled to ``side``.

    2-D grayscale (b, H, W) and channels-first (b, C, H, W) images are pooled to side x side;
    volumes (b, C, D, H, W) to side/2 per axis; (b, features) rows pass through.
    """
    x = torch.from_numpy(np.ascontiguousarray(block, dtype=np.float32))
    if x.ndim == 2:
        return x
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim == 4:
        x = F.adaptive_avg_pool2d(x, (min(side, x.shape[2]), min(side, x.shape[3])))
    elif x.ndim == 5:
        s3 = max(1, side // 2)
        depth, rows, cols = x.shape[2:]
        x = F.adaptive_avg_pool3d(x, (min(s3, depth), min(s3, rows), min(s3, cols)))
    else:
        raise AlstudioError(f"images have shape {tuple(block.shape)[1:]} per item; expected "
                            f"(H, W), (C, H, W) or (C, D, H, W).")
    return x.reshape(x.shape[0], -1)


def principal_axes(z: np.ndarray, q: int) -> np.ndarray:
    """The top ``q`` principal axes (features, q) of centred rows ``z``, signs fixed.

    Eigen-decomposes whichever Gram matrix is smaller (features² or rows²): exact, with no
    random projections, so the axes depend on the seed only through the fitted subsample.
    Each axis' largest loading is made positive so that results are reproducible.
    """
    if z.shape[1] <= z.shape[0]:
        _, vecs = np.linalg.eigh(z.T @ z)
        axes = vecs[:, ::-1][:, :q]
    else:
        vals, vecs = np.linalg.eigh(z @ z.T)
        top = vecs[:, ::-1][:, :q]
        axes = z.T @ top / np.sqrt(np.maximum(vals[::-1][:q], 1e-12))
    rows = np.abs(axes).argmax(axis=0)
    return np.asarray(axes * np.sign(axes[rows, np.arange(axes.shape[1])]))


def unsupervised_features(images: Any, dim: int = 50, seed: int = 0, *, side: int = 32,
                          fit_sample: int = 5000, block: int = 512,
                          progress: ProgressCallback | None = None,
                          cancel: CancelToken | None = None) -> np.ndarray:
    """(N, dim) float32 PCA features of ``images`` (any (N, ...) array, memmaps included).

    ``dim`` is capped at the number of fitted rows and pixels. Deterministic for a seed.
    """
    n = int(images.shape[0])
    if n == 0:
        raise AlstudioError("No images given to compute features from.")
    rng = np.random.default_rng(seed)
    fit_idx = np.sort(rng.choice(n, size=min(n, fit_sample), replace=False))
    sample = torch.cat([_downsample(images[fit_idx[s:s + block]], side)
                        for s in range(0, fit_idx.size, block)]).numpy().astype(np.float64)
    mean = sample.mean(0)
    scale = np.maximum(sample.std(0), 1e-6)
    z = (sample - mean) / scale
    q = min(dim, z.shape[0], z.shape[1])
    axes = principal_axes(z, q).astype(np.float32)
    mean32 = torch.from_numpy(mean.astype(np.float32))
    scale32 = torch.from_numpy(scale.astype(np.float32))
    out = np.empty((n, q), dtype=np.float32)
    for s in range(0, n, block):
        check(cancel)
        x = (_downsample(images[s:s + block], side) - mean32) / scale32
        out[s:s + x.shape[0]] = x.numpy() @ axes
        report(progress, "features", min(n, s + block), n)
    return out
