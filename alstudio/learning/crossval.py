"""Out-of-sample class probabilities for every labeled item, by k-fold cross-validation.

Confident learning judges a label by what a model that never saw it predicts, so each item's
probabilities come from the model trained on the other folds. Folds are stratified by class
and seeded; each fold trains with the project's recipe on a smaller step budget (the check is
a screen for a second read, not a model to keep).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, Progress, ProgressCallback, check
from alstudio.learning.inference import predict
from alstudio.learning.training import TrainConfig, train_model

#: The cheap recipe for a cross-validation fold: a quarter of a round's training.
CROSSVAL_TRAIN = TrainConfig(max_epochs=10, min_steps=60, patience=4)


def stratified_folds(y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """A fold number per item, each class dealt round-robin after a seeded shuffle."""
    y = np.asarray(y, dtype=np.int64)
    rng = np.random.default_rng(seed)
    fold = np.empty(y.size, dtype=np.int64)
    offset = 0
    for cls in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == cls))
        fold[members] = (np.arange(members.size) + offset) % folds
        offset += members.size
    return fold


def cross_val_probs(x: np.ndarray, y: np.ndarray, num_classes: int, *, folds: int = 3,
                    config: TrainConfig | None = None, seed: int = 0,
                    progress: ProgressCallback | None = None,
                    cancel: CancelToken | None = None) -> np.ndarray:
    """``(N, C)`` probabilities, row ``i`` from a model trained without item ``i``."""
    y = np.asarray(y, dtype=np.int64)
    if folds < 2:
        raise AlstudioError("Cross-validation needs at least two folds.")
    counts = np.bincount(y, minlength=num_classes)
    present = counts[counts > 0]
    if present.size < 2 or present.min() < folds:
        raise AlstudioError(
            f"Checking labels needs at least {folds} labeled items of each of two classes or "
            f"more (have {', '.join(str(int(c)) for c in counts)}).",
            "Label more scans, or use fewer folds.")
    fold = stratified_folds(y, folds, seed)
    cfg = config or CROSSVAL_TRAIN
    probs = np.zeros((y.size, num_classes), dtype=np.float32)
    for k in range(folds):
        check(cancel)
        train_idx, held_idx = np.flatnonzero(fold != k), np.flatnonzero(fold == k)

        def relay(step: Progress, k: int = k) -> None:
            if progress is not None:
                progress(Progress(f"fold {k + 1}/{folds}: {step.phase}", step.done, step.total,
                                  step.message))

        trained = train_model(x[train_idx], y[train_idx], num_classes,
                              replace(cfg, seed=seed + k), progress=relay, cancel=cancel)
        out = predict(trained.model, x[held_idx], progress=relay, cancel=cancel)
        probs[held_idx] = out.probs
    return probs
