"""A small deep ensemble: classifiers trained on the same labels, each from its own seed.

A network trained from scratch on 20-300 labels lands in a different place for every seed;
averaging the probabilities of a few such networks is the best-known way to make a small-data
model steadier and better calibrated, at one training per member. ``benchmarks/
cheap_ideas.py`` measured it with random labels (BreastMNIST: +0.016 ± 0.008 balanced
accuracy at 300 labels with three members; RetinaMNIST: no gain), so it is a recipe option,
judged over whole curves by ``benchmarks/ablation.py --variants ensemble``.

Member 0 trains with the recipe's own seed, so an ensemble of one is exactly the lone
classifier, and member 0 is what a round stores as its checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback
from alstudio.learning.inference import ModelOutputs, ensemble_committee
from alstudio.learning.models import Classifier
from alstudio.learning.training import TrainConfig, TrainResult, train_model

#: Member m trains with seed ``seed + MEMBER_SEED_STRIDE * m``: far from the seeds the
#: simulator gives consecutive rounds (``seed * 1000 + step``), so no member repeats a round.
MEMBER_SEED_STRIDE = 1_000_003


def member_seed(seed: int, member: int) -> int:
    return seed + MEMBER_SEED_STRIDE * member


def check_members(members: int) -> None:
    if members < 1:
        raise AlstudioError(f"An ensemble has at least one member, not {members}.",
                            "Give 1 for a single classifier, 3 or 5 for an ensemble.")


def train_other_members(x: np.ndarray, y: np.ndarray, num_classes: int, config: TrainConfig,
                        members: int, *, progress: ProgressCallback | None = None,
                        cancel: CancelToken | None = None,
                        unlabeled: tuple[Any, np.ndarray] | None = None) -> list[TrainResult]:
    """Members 1 .. ``members - 1`` on the labels member 0 (trained by the caller, with
    ``config.seed``) was trained on; an empty list for an ensemble of one."""
    check_members(members)
    return [train_model(x, y, num_classes, replace(config, seed=member_seed(config.seed, m)),
                        progress=progress, cancel=cancel, unlabeled=unlabeled)
            for m in range(1, members)]


def averaged(first: ModelOutputs, others: Sequence[Classifier], x: np.ndarray,
             batch_size: int = 256, cancel: CancelToken | None = None) -> ModelOutputs:
    """Member 0's ``first`` outputs on ``x`` with the probabilities averaged over every member.

    The embeddings stay member 0's (one feature space for the core-set's distances). Without
    a committee of its own, the members' probabilities become it, so committee strategies
    read the ensemble's disagreement rather than dropout's."""
    if not others:
        return first
    device = next(iter(others[0].parameters())).device
    layers = ensemble_committee(others, x, batch_size, device, cancel=cancel)
    stacked = np.concatenate([first.probs[None].astype(np.float32), layers])
    committee = first.committee if first.committee is not None else stacked
    return ModelOutputs(stacked.mean(axis=0).astype(np.float32), first.embeddings, committee)
