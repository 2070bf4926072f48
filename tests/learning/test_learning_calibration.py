"""Threshold re-centring: recovers a known offset and never runs away."""

from __future__ import annotations

import torch

from alstudio.learning.calibration import fit_class_bias, fold_bias


def test_recovers_a_shifted_threshold() -> None:
    generator = torch.Generator().manual_seed(0)
    targets = torch.cat([torch.zeros(60, dtype=torch.long), torch.ones(20, dtype=torch.long)])
    # Well separated classes whose logits were all pushed 1.5 towards class 0.
    margin = torch.where(targets == 1, 2.0, -2.0) + torch.randn(80, generator=generator)
    logits = torch.stack([-margin / 2 + 0.75, margin / 2 - 0.75], dim=1)
    shift = fit_class_bias(logits, targets, torch.tensor([80 / 120, 80 / 40]))
    assert abs(float(shift[1] - shift[0]) - 1.5) < 0.5
    assert abs(float(shift.sum())) < 1e-5


def test_degenerate_slices_stay_bounded() -> None:
    logits = torch.tensor([[5.0, -5.0], [4.0, -4.0]])
    shift = fit_class_bias(logits, torch.tensor([1, 1]), torch.tensor([1.0, 1.0]))
    assert torch.isfinite(shift).all() and shift.abs().max() <= 4.0


def test_fold_changes_only_the_bias() -> None:
    head = torch.nn.Linear(3, 2)
    weight, bias = head.weight.detach().clone(), head.bias.detach().clone()
    fold_bias(head, torch.tensor([0.5, -0.5]))
    assert torch.equal(head.weight, weight)
    assert torch.allclose(head.bias, bias + torch.tensor([0.5, -0.5]))
