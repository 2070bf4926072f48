"""Semi-supervised rounds: FixMatch-like consistency on the unlabeled pool.

Each training step also draws a batch of unlabeled images. A teacher (the model being
trained or its running average; no gradient, eval mode, so batch-norm statistics are not
disturbed) labels a weakly augmented view; where it is at least ``threshold`` sure, the
strongly augmented view (:func:`strong_augment`) is trained to give the same class (Sohn et
al. 2020). Pseudo-labels are weighted with the labeled classes' balancing weights, so a 3%
finding's rare confident pseudo-labels count as much as the majority's many: without that,
consistency training pulls a rare class towards the majority.

Three knobs of :class:`~alstudio.learning.train_config.TrainConfig` exist to measure why the
term costs balanced accuracy on BreastMNIST (``benchmarks/semi_recipe.py``): which weights
label the weak views (``pseudo_teacher``: the weights being trained, or their running average,
a steadier teacher), whether pseudo-labels are class-weighted (``pseudo_weighting``: the
labeled loss is already class-weighted, so its confident predictions lean to the minority
once), and a linear ramp of the term's weight over the first share of the steps
(``unlabeled_ramp``), so the first pseudo-labels come from a model that has seen its labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from alstudio.learning.augment import augment_batch, strong_augment
from alstudio.learning.batches import load_batch
from alstudio.learning.models import Classifier
from alstudio.learning.train_config import TrainConfig


class Unlabeled:
    """The unlabeled rows of a round and the pseudo-labels of the latest batch drawn."""

    def __init__(self, x: Any, index: np.ndarray, model: Classifier, seed: int,
                 labeled_count: int, batch_size: int = 32) -> None:
        self.x = x
        self.index = index
        self.model = model
        self.rng = np.random.default_rng(seed)
        self.batch = int(min(batch_size, index.size, max(16, labeled_count // 4)))
        self.probs: torch.Tensor | None = None
        self.used = 0  # pseudo-labels that passed the threshold so far
        self.seen = 0

    def images(self, generator: torch.Generator, device: torch.device) -> torch.Tensor:
        """Strong views of a fresh unlabeled batch; pseudo-labels of its weak views are kept
        for :func:`consistency_loss`."""
        rows = np.sort(self.rng.choice(self.index, self.batch, replace=False))
        images = load_batch(self.x, rows, device)
        weak = augment_batch(images, generator)
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            self.probs = torch.softmax(self.model(weak).float(), dim=1)
        self.model.train(was_training)
        return strong_augment(images, generator)


def unlabeled_factor(config: TrainConfig, step: int, total_steps: int) -> float:
    """The consistency term's weight at this step: ``unlabeled_weight``, reached linearly over
    the first ``unlabeled_ramp`` share of the steps."""
    ramp = config.unlabeled_ramp * total_steps
    if ramp <= 0:
        return config.unlabeled_weight
    return config.unlabeled_weight * min(1.0, step / ramp)


def consistency_loss(logits: torch.Tensor, unlabeled: Unlabeled,
                     class_weights: torch.Tensor | None, threshold: float) -> torch.Tensor:
    """Cross-entropy of the strong views against confident pseudo-labels, class-weighted
    unless ``class_weights`` is None (0 when none is confident)."""
    assert unlabeled.probs is not None
    confidence, pseudo = unlabeled.probs.max(dim=1)
    mask = (confidence >= threshold).float()
    unlabeled.used += int(mask.sum().item())
    unlabeled.seen += int(mask.numel())
    weights = mask if class_weights is None else class_weights[pseudo] * mask
    per_item = F.cross_entropy(logits, pseudo, reduction="none")
    return (per_item * weights).sum() / weights.sum().clamp_min(1.0)
