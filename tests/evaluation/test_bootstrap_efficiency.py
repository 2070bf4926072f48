"""Bootstrap spread over the test split, and the label-efficiency interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from alstudio.evaluation.baseline import band, label_efficiency_estimate
from alstudio.evaluation.bootstrap import bootstrap_metrics
from alstudio.learning.metrics import balanced_accuracy, roc_auc


def _noisy_predictions(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int64)
    score = np.clip(0.5 + 0.25 * (2 * y - 1) + rng.normal(0, 0.25, n), 0, 1)
    return y, np.stack([1 - score, score], axis=1)


def test_bootstrap_value_is_the_full_test_metric_and_the_interval_holds_it() -> None:
    y, probs = _noisy_predictions(200)
    spread = bootstrap_metrics(y, probs, resamples=300, seed=1)
    ba, auc = spread["balanced_accuracy"], spread["auc"]
    assert ba.value == pytest.approx(balanced_accuracy(y, probs.argmax(1), 2))
    assert auc.value == pytest.approx(roc_auc(y, probs))
    for s in (ba, auc):
        assert s.low is not None and s.high is not None and s.std is not None
        assert s.low < s.value < s.high and 0 < s.std < 0.1
    # same seed, same spread: a report is reproducible
    again = bootstrap_metrics(y, probs, resamples=300, seed=1)
    assert again["balanced_accuracy"] == ba


def test_bootstrap_spread_shrinks_with_a_larger_test_split() -> None:
    small = bootstrap_metrics(*_noisy_predictions(60), resamples=300)["balanced_accuracy"]
    large = bootstrap_metrics(*_noisy_predictions(2000), resamples=300)["balanced_accuracy"]
    assert small.std is not None and large.std is not None
    # the standard error falls like 1/sqrt(n): about 5.8x for 33x the items
    assert 3.0 < small.std / large.std < 10.0


def test_bootstrap_of_a_perfect_model_has_no_spread_and_empty_input_has_none() -> None:
    y = np.array([0, 1] * 20)
    probs = np.eye(2)[y]
    ba = bootstrap_metrics(y, probs, resamples=50)["balanced_accuracy"]
    assert ba.value == 1.0 and ba.std == 0.0 and ba.low == ba.high == 1.0
    empty = bootstrap_metrics(np.array([], dtype=np.int64), np.zeros((0, 2)))
    assert empty["auc"].value is None and empty["auc"].std is None


def test_efficiency_interpolates_linearly_between_label_counts() -> None:
    # project best 0.80 -> target 0.76; project reaches it between 40 (0.70) and 60 (0.80):
    # 40 + (0.76-0.70)/(0.10)*20 = 52; random between 80 (0.74) and 100 (0.78): 90
    est = label_efficiency_estimate([20, 40, 60], [0.60, 0.70, 0.80],
                                    [20, 40, 60, 80, 100], [0.55, 0.62, 0.70, 0.74, 0.78])
    assert est["target"] == pytest.approx(0.76)
    assert est["project_labels"] == pytest.approx(52.0)
    assert est["random_labels"] == pytest.approx(90.0)
    assert est["efficiency"] == pytest.approx(90 / 52, abs=0.01)
    assert "1.73x" in est["text"]


def test_efficiency_not_reached_gives_a_lower_bound() -> None:
    est = label_efficiency_estimate([20, 40, 60], [0.60, 0.70, 0.80],
                                    [20, 40, 60], [0.55, 0.60, None])
    assert est["random_labels"] is None and est["efficiency"] is None
    assert est["at_least"] == pytest.approx(40 / 52, abs=0.01)
    assert est["text"].startswith("not reached")


def test_band_ignores_untrainable_subsets() -> None:
    out = band([[0.6, None, 0.8], [0.7, 0.7, 0.6]])
    assert out["mean"] == [0.65, 0.7, 0.7]
    assert out["std"] == [0.05, 0.0, 0.1]
