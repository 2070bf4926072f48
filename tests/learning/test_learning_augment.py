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


def test_strong_colour_jitter_breaks_the_colour_shortcut() -> None:
    """Strong colour views differ far more in colour than mild ones, some are grey, and grey
    images are untouched by the setting."""
    from alstudio.learning.augment import MILD_COLOUR, STRONG_COLOUR, strong_augment

    # its own generator: the global one's state depends on which tests ran before
    x = torch.rand(64, 3, 16, 16, generator=torch.Generator().manual_seed(3)) * 0.5 + 0.25

    def colour_spread(view: torch.Tensor) -> torch.Tensor:
        means = view.mean(dim=(2, 3))  # (B, 3) average colour of each view
        return (means - means.mean(dim=1, keepdim=True)).abs().mean(dim=1)

    mild = strong_augment(x, torch.Generator().manual_seed(0), MILD_COLOUR)
    strong = strong_augment(x, torch.Generator().manual_seed(0), STRONG_COLOUR)
    # about 3x (2.85x-3.33x over 40 input seeds); equal jitters would give 1x
    assert (colour_spread(strong) - colour_spread(x)).abs().mean() > \
        2.5 * (colour_spread(mild) - colour_spread(x)).abs().mean()
    # a grey view's channels differ only by the per-channel noise (sd 0.03)
    grey_views = (strong.std(dim=1).mean(dim=(1, 2)) < 0.05).sum()
    assert 3 <= int(grey_views) <= 30  # about one view in five
    assert int((mild.std(dim=1).mean(dim=(1, 2)) < 0.05).sum()) == 0
    grey = torch.rand(8, 1, 16, 16)
    torch.testing.assert_close(strong_augment(grey, torch.Generator().manual_seed(1)),
                               strong_augment(grey, torch.Generator().manual_seed(1),
                                              STRONG_COLOUR))


def test_the_mild_default_repeats_earlier_seeded_views() -> None:
    """The mild jitter draws exactly what it drew before the setting existed."""
    from alstudio.learning.augment import STRONG, augment_batch, strong_augment

    x = torch.rand(4, 3, 12, 12)
    gen = torch.Generator().manual_seed(5)
    out = augment_batch(x, gen, STRONG)
    out = out * (1.0 + 0.2 * (torch.rand(4, 3, 1, 1, generator=gen) - 0.5))
    out = out + 0.03 * torch.randn(out.shape, generator=gen)
    side = 3
    top = torch.randint(0, 12 - side + 1, (4,), generator=gen)
    left = torch.randint(0, 12 - side + 1, (4,), generator=gen)
    for i in range(4):
        out[i, :, top[i]:top[i] + side, left[i]:left[i] + side] = 0
    torch.testing.assert_close(strong_augment(x, torch.Generator().manual_seed(5)), out)
