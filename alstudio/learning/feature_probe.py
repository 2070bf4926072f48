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

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

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


def blend(classifier_probs: np.ndarray, probe_probs: np.ndarray) -> np.ndarray:
    """The mean of the two models' probabilities (rows still sum to one)."""
    if classifier_probs.shape != probe_probs.shape:
        raise ValueError(f"cannot blend probabilities of shapes {classifier_probs.shape} and "
                         f"{probe_probs.shape}")
    return ((classifier_probs + probe_probs) / 2).astype(np.float32)
