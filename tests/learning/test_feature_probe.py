"""The feature probe: a class-balanced logistic regression on encoder features, and its mean
with the classifier's probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from alstudio.learning.feature_probe import (
    PROBE_WEIGHTS,
    blend,
    held_back_weight,
    probe_probabilities,
)


def _clusters(n: int, classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features in well-separated clusters, one per class."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    centres = rng.normal(0, 5, (classes, 8))
    return centres[y] + rng.normal(0, 0.5, (n, 8)), y


def test_probe_learns_separable_features_and_rows_sum_to_one() -> None:
    x, y = _clusters(60, 3)
    probs = probe_probabilities(x[:30], y[:30], x[30:], 3)
    assert probs.shape == (30, 3)
    assert np.allclose(probs.sum(1), 1.0, atol=1e-5)
    assert (probs.argmax(1) == y[30:]).mean() == 1.0


def test_a_class_no_label_has_yet_keeps_a_zero_column() -> None:
    x, y = _clusters(60, 3)
    seen = y != 1
    probs = probe_probabilities(x[seen], y[seen], x, 4)
    assert probs.shape == (60, 4)
    assert np.all(probs[:, 1] == 0) and np.all(probs[:, 3] == 0)
    assert np.allclose(probs.sum(1), 1.0, atol=1e-5)


def test_the_rare_class_is_not_drowned() -> None:
    """Balanced weights: with 3 positives among 60 the positives still win their cluster."""
    x, y = _clusters(400, 2, seed=3)
    keep = np.concatenate([np.flatnonzero(y == 0)[:57], np.flatnonzero(y == 1)[:3]])
    probs = probe_probabilities(x[keep], y[keep], x, 2)
    assert (probs.argmax(1)[y == 1] == 1).mean() > 0.95


def test_refusals_name_the_problem() -> None:
    x, y = _clusters(20, 2)
    with pytest.raises(ValueError, match="two classes"):
        probe_probabilities(x, np.zeros(20, dtype=np.int64), x, 2)
    with pytest.raises(ValueError, match="8 training features but 4"):
        probe_probabilities(x, y, x[:, :4], 2)
    with pytest.raises(ValueError, match="shapes"):
        blend(np.ones((3, 2)) / 2, np.ones((3, 3)) / 3)


def test_blend_is_the_mean() -> None:
    a = np.array([[0.9, 0.1], [0.2, 0.8]], dtype=np.float32)
    b = np.array([[0.5, 0.5], [0.6, 0.4]], dtype=np.float32)
    assert np.allclose(blend(a, b), [[0.7, 0.3], [0.4, 0.6]])


def test_blend_weights_the_probe_and_refuses_a_share_out_of_range() -> None:
    a = np.array([[1.0, 0.0]], dtype=np.float32)
    b = np.array([[0.0, 1.0]], dtype=np.float32)
    assert np.allclose(blend(a, b, 0.25), [[0.75, 0.25]])
    assert np.allclose(blend(a, b, 0.0), a) and np.allclose(blend(a, b, 1.0), b)
    with pytest.raises(ValueError, match="between 0 and 1"):
        blend(a, b, 1.5)


def _confident(labels: np.ndarray, classes: int, right: float) -> np.ndarray:
    """Probabilities putting ``right`` on the true class and the rest spread evenly."""
    out = np.full((labels.size, classes), (1 - right) / (classes - 1), dtype=np.float32)
    out[np.arange(labels.size), labels] = right
    return out


def test_the_held_back_slice_picks_the_better_model_and_the_mean_on_a_tie() -> None:
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2])
    good, poor = _confident(y, 3, 0.9), _confident((y + 1) % 3, 3, 0.6)
    assert held_back_weight(good, poor, y) == 0.0  # the probe is worse: left out
    assert held_back_weight(poor, good, y) == 1.0  # the classifier is worse
    assert held_back_weight(good, good, y) == 0.5  # no difference: the measured mean
    assert PROBE_WEIGHTS[0] == 0.5


def test_the_held_back_loss_weighs_every_class_alike() -> None:
    """Six majority items the probe gets right cannot outvote one rare item it gets badly
    wrong: the share goes to the classifier, which has the rare one right."""
    y = np.array([0, 0, 0, 0, 0, 0, 1])
    classifier = _confident(y, 2, 0.7)
    probe = _confident(y, 2, 0.95)
    probe[-1] = [0.99, 0.01]
    assert held_back_weight(classifier, probe, y) < 0.5
    with pytest.raises(ValueError, match="held-back"):
        held_back_weight(classifier[:0], probe[:0], y[:0])
