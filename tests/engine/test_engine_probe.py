"""A step with the feature probe: probabilities are the mean of the classifier's and a linear
probe's on encoder features, for ranking and for the test metrics; nothing else changes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from alstudio.engine import StepConfig, run_step
from alstudio.learning.feature_probe import probe_probabilities
from alstudio.learning.metrics import classification_summary
from alstudio.learning.training import TrainConfig
from tests.learning.conftest import separable_images


def _config() -> StepConfig:
    train = TrainConfig(model="small_cnn", max_epochs=2, min_steps=8, batch_size=16,
                        device="cpu", patience=2, min_val_items=30, num_threads=1)
    return StepConfig(strategy="coreset_uncertainty", batch_size=6, train=train, threads=1)


def test_the_probe_is_averaged_into_pool_and_test_probabilities() -> None:
    x, y = separable_images(n=64, classes=3, seed=1)
    x_test, y_test = separable_images(n=24, classes=3, seed=2)
    rng = np.random.default_rng(0)
    features = x.reshape(len(x), -1)[:, ::16] + rng.normal(0, 0.01, (len(x), 49))
    test_features = x_test.reshape(len(x_test), -1)[:, ::16]
    labeled = np.arange(18)
    plain = run_step(x, labeled, y[labeled], 3, _config(), seed=4, x_test=x_test,
                     y_test=y_test)
    probed = run_step(x, labeled, y[labeled], 3, replace(_config(), probe_features=features),
                      seed=4, x_test=x_test, y_test=y_test, test_features=test_features)
    assert plain.pool_outputs is not None and probed.pool_outputs is not None
    assert plain.test_outputs is not None and probed.test_outputs is not None
    both = probe_probabilities(features[labeled], y[labeled],
                               np.concatenate([features, test_features]), 3, seed=4)
    np.testing.assert_allclose(probed.pool_outputs.probs,
                               (plain.pool_outputs.probs + both[:64]) / 2, atol=1e-5)
    np.testing.assert_allclose(probed.test_outputs.probs,
                               (plain.test_outputs.probs + both[64:]) / 2, atol=1e-5)
    assert probed.test_metrics == classification_summary(y_test, probed.test_outputs.probs)
    # the classifier's own embeddings still drive the distances
    np.testing.assert_array_equal(probed.pool_outputs.embeddings,
                                  plain.pool_outputs.embeddings)
    assert len(probed.selection.indices) == 6


def test_a_probe_without_the_test_items_features_is_refused() -> None:
    x, y = separable_images(n=32, classes=2)
    features = x.reshape(len(x), -1)[:, ::16]
    with pytest.raises(ValueError, match="test items' features"):
        run_step(x, np.arange(10), y[:10], 2, replace(_config(), probe_features=features),
                 x_test=x[:5], y_test=y[:5])


def test_the_cold_start_ignores_the_probe() -> None:
    """One class labeled: no model, so no probe; the same picks as without it."""
    x, y = separable_images(n=32, classes=2)
    features = x.reshape(len(x), -1)[:, ::16]
    one = np.flatnonzero(y == 0)[:3]
    plain = run_step(x, one, y[one], 2, _config(), seed=1)
    probed = run_step(x, one, y[one], 2, replace(_config(), probe_features=features), seed=1)
    assert plain.cold_start and probed.cold_start
    np.testing.assert_array_equal(plain.selection.indices, probed.selection.indices)
