"""Batch augmentation: seeded, shape-preserving, and mild."""

from __future__ import annotations

import torch

from alstudio.learning.augment import AugmentConfig, augment_batch


def test_seeded_and_shape_preserving() -> None:
    x = torch.rand(8, 1, 28, 28)
    a = augment_batch(x, torch.Generator().manual_seed(5))
    b = augment_batch(x, torch.Generator().manual_seed(5))
    c = augment_batch(x, torch.Generator().manual_seed(6))
    assert a.shape == x.shape and a.dtype == x.dtype
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert not torch.allclose(a, x)


def test_no_perturbation_is_the_identity() -> None:
    none = AugmentConfig(flip_horizontal=False, rotate_degrees=0.0, zoom=0.0, shift=0.0,
                         intensity_scale=0.0, intensity_shift=0.0)
    x = torch.rand(4, 3, 16, 16)
    assert torch.allclose(augment_batch(x, torch.Generator().manual_seed(0), none), x, atol=1e-5)


def test_flip_only_mirrors_left_and_right() -> None:
    flip = AugmentConfig(rotate_degrees=0.0, zoom=0.0, shift=0.0, intensity_scale=0.0,
                         intensity_shift=0.0)
    x = torch.rand(16, 1, 10, 10)
    out = augment_batch(x, torch.Generator().manual_seed(1), flip)
    for original, result in zip(x, out, strict=True):
        assert (torch.allclose(result, original, atol=1e-5)
                or torch.allclose(result, original.flip(-1), atol=1e-5))
