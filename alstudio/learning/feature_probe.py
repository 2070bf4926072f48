"""The classifier's probabilities averaged with a linear probe on the pool encoder's features.

``benchmarks/encoder_probe.py`` found the pool encoder's frozen features worth more than its
weights: fine-tuning the classifier from them gained nothing on BreastMNIST, while the mean
of the classifier's probabilities (trained from scratch) and those of a logistic regression
on the encoder's features was 0.013-0.025 balanced accuracy higher from 80 random labels.
The two models make different mistakes: one learnt its features from a few hundred labels,
the other from every unlabeled scan of the pool.

The probe is class-balanced, so a 3% finding weighs as much as the majority, and a class no
labeled item has yet keeps a zero column (the classifier's own probability, halved, stands
for it). It is numpy and scikit-learn only: the features are computed once per encoder.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

if TYPE_CHECKING:
    from alstudio.learning.train_config import TrainResult

log = logging.getLogger(__name__)

#: The probe's inverse regularisation strength, as in the benchmark that measured the gain.
PROBE_C = 1.0


def probe_probabilities(train_features: np.ndarray, train_labels: np.ndarray,
                        features: np.ndarray, num_classes: int, seed: int = 0) -> np.ndarray:
    """Probabilities (rows of ``features``, ``num_classes``) of a class-balanced logistic
    regression fitted on the labeled rows' features.

    Needs two labeled classes at least; classes never labeled get probability 0."""
    labels = np.asarray(train_labels, dtype=np.int64)
    present = np.unique(labels)
    if present.size < 2:
        raise ValueError("a feature probe needs labels of two classes at least")
    if train_features.shape[1] != features.shape[1]:
        raise ValueError(f"the probe was given {train_features.shape[1]} training features "
                         f"but {features.shape[1]} to score")
    model = LogisticRegression(C=PROBE_C, class_weight="balanced", max_iter=3000,
                               random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(np.asarray(train_features, dtype=np.float64), labels)
    for warning in caught:  # to the log file, never the user's terminal
        log.info("feature probe: %s", warning.message)
    out = np.zeros((features.shape[0], num_classes), dtype=np.float32)
    out[:, model.classes_] = model.predict_proba(np.asarray(features, dtype=np.float64))
    return out


def blend(classifier_probs: np.ndarray, probe_probs: np.ndarray,
          probe_weight: float = 0.5) -> np.ndarray:
    """The weighted mean of the two models' probabilities (rows still sum to one); the
    default is the plain mean that was measured over whole curves."""
    if classifier_probs.shape != probe_probs.shape:
        raise ValueError(f"cannot blend probabilities of shapes {classifier_probs.shape} and "
                         f"{probe_probs.shape}")
    if not 0.0 <= probe_weight <= 1.0:
        raise ValueError(f"a probe weight is between 0 and 1, not {probe_weight}")
    return ((1.0 - probe_weight) * classifier_probs
            + probe_weight * probe_probs).astype(np.float32)


#: The probe's shares tried on the held-back slice, the plain mean first (it wins ties).
PROBE_WEIGHTS = (0.5, 0.0, 0.25, 0.75, 1.0)


def held_back_weight(classifier_probs: np.ndarray, probe_probs: np.ndarray,
                     labels: np.ndarray, weights: tuple[float, ...] = PROBE_WEIGHTS) -> float:
    """The probe's share whose blend has the lowest class-balanced log-loss on held-back
    labeled items.

    Why: the plain mean lifted BreastMNIST, whose encoder probes well, but cost RetinaMNIST,
    whose encoder probes worse than the classifier it was averaged with. The probe here must
    have been fitted without these items; the classifier chose its period and threshold on
    them, so the choice leans towards the classifier, the side that was never worse.
    Log-loss, not accuracy: a slice of a few dozen items ties on accuracy at every weight."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size == 0:
        raise ValueError("choosing a probe weight needs held-back labeled items")
    counts = np.bincount(labels, minlength=classifier_probs.shape[1]).astype(np.float64)
    item_weight = 1.0 / counts[labels]
    rows = np.arange(labels.size)

    def loss(weight: float) -> float:
        mixed = blend(classifier_probs, probe_probs, weight)[rows, labels]
        return float(-(item_weight * np.log(np.clip(mixed, 1e-6, 1.0))).sum()
                     / item_weight.sum())

    losses = [loss(w) for w in weights]
    return float(weights[int(np.argmin(losses))])


def held_back_share(features: np.ndarray, rows: np.ndarray, labels: np.ndarray,
                    trained: TrainResult, seed: int = 0) -> float:
    """The probe's share for a classifier trained on ``features[rows]``'s items with these
    ``labels``, chosen on its held-back slice by :func:`held_back_weight` with a probe fitted
    on its training part.

    The plain mean (0.5) when there is no slice (too few labels, or a class too rare for
    one) or the training part has a single class."""
    held = trained.val_index
    if held.size == 0:
        return 0.5
    labels = np.asarray(labels, dtype=np.int64)
    fit = np.setdiff1d(np.arange(rows.size), held)
    if np.unique(labels[fit]).size < 2:
        return 0.5
    probe = probe_probabilities(features[rows[fit]], labels[fit], features[rows[held]],
                                trained.val_probs.shape[1], seed=seed)
    return held_back_weight(trained.val_probs, probe, labels[held])
