"""The semi-supervised term's recipe knobs: teacher, pseudo-label weighting and ramp."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from alstudio.errors import AlstudioError
from alstudio.learning.semi import Unlabeled, consistency_loss, unlabeled_factor
from alstudio.learning.train_config import TrainConfig
from alstudio.learning.training import train_model
from tests.learning.conftest import fast_config, separable_images


def _unlabeled_with(probs: torch.Tensor) -> Unlabeled:
    """An Unlabeled whose latest pseudo-labels are ``probs`` (no images are drawn)."""
    holder = Unlabeled.__new__(Unlabeled)
    holder.probs, holder.used, holder.seen = probs, 0, 0
    return holder


def test_the_ramp_rises_linearly_then_holds() -> None:
    flat = TrainConfig(unlabeled_weight=2.0)
    assert unlabeled_factor(flat, 0, 100) == 2.0
    ramped = TrainConfig(unlabeled_weight=2.0, unlabeled_ramp=0.5)
    assert unlabeled_factor(ramped, 0, 100) == 0.0
    assert unlabeled_factor(ramped, 25, 100) == pytest.approx(1.0)
    assert unlabeled_factor(ramped, 50, 100) == 2.0
    assert unlabeled_factor(ramped, 99, 100) == 2.0


def test_pseudo_labels_are_class_weighted_only_when_asked() -> None:
    probs = torch.tensor([[0.99, 0.01], [0.02, 0.98], [0.6, 0.4]])  # the third is not sure
    logits = torch.tensor([[0.0, 1.0], [0.0, 1.0], [5.0, -5.0]])
    per_item = F.cross_entropy(logits, torch.tensor([0, 1, 0]), reduction="none")
    flat = consistency_loss(logits, _unlabeled_with(probs), None, 0.95)
    assert flat.item() == pytest.approx(per_item[:2].mean().item())
    weights = torch.tensor([1.0, 3.0])
    weighted_holder = _unlabeled_with(probs)
    weighted = consistency_loss(logits, weighted_holder, weights, 0.95)
    expected = (per_item[0] * 1.0 + per_item[1] * 3.0) / 4.0
    assert weighted.item() == pytest.approx(expected.item())
    assert (weighted_holder.used, weighted_holder.seen) == (2, 3)


def test_unknown_recipe_options_are_refused_before_training() -> None:
    x, y = separable_images(n=40)
    for change in ({"pseudo_teacher": "student"}, {"pseudo_weighting": "inverse"},
                   {"unlabeled_ramp": 1.5}, {"class_balance": "oversample"}):
        with pytest.raises(AlstudioError, match=r"Unknown|not a share"):
            train_model(x, y, 2, fast_config(**change))


def test_an_averaged_teacher_with_flat_weights_and_a_ramp_trains_on_the_pool() -> None:
    x, y = separable_images(n=120)
    labeled = np.arange(24)
    base = fast_config(pseudo_threshold=0.5)
    today = train_model(x[labeled], y[labeled], 2, base, unlabeled=(x, np.arange(24, 120)))
    steadier = fast_config(pseudo_threshold=0.5, pseudo_teacher="ema",
                           pseudo_weighting="none", unlabeled_ramp=0.5)
    trained = train_model(x[labeled], y[labeled], 2, steadier,
                          unlabeled=(x, np.arange(24, 120)))
    assert trained.pseudo_labels_used > 0
    assert trained.config.pseudo_teacher == "ema"
    assert not torch.equal(next(iter(trained.model.state_dict().values())),
                           next(iter(today.model.state_dict().values())))
