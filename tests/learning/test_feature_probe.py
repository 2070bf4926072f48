"""The feature probe: a class-balanced logistic regression on encoder features, and its mean
with the classifier's probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from alstudio.learning.feature_probe import blend, probe_probabilities


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
