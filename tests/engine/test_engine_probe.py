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


def test_a_share_chosen_on_the_held_back_slice_is_used_and_reported() -> None:
    """With 40 labels the classifier holds back a slice; the probe's share is chosen there
    (a probe fitted without it) and both pool and test blends use that share."""
    x, y = separable_images(n=72, classes=2, seed=5)
    x_test, y_test = separable_images(n=20, classes=2, seed=6)
    rng = np.random.default_rng(1)
    features = rng.normal(0, 1, (len(x), 12))  # a probe that knows nothing
    test_features = rng.normal(0, 1, (len(x_test), 12))
    labeled = np.arange(40)
    config = replace(_config(), probe_features=features, probe_weighting="held_back")
    result = run_step(x, labeled, y[labeled], 2, config, seed=2, x_test=x_test,
                      y_test=y_test, test_features=test_features)
    assert result.train is not None and result.train.n_val > 0
    assert result.probe_weight is not None and result.probe_weight < 0.5
    own, own_test = result.classifier_outputs, result.classifier_test_outputs
    assert own is not None and own_test is not None and result.test_outputs is not None
    assert result.pool_outputs is not None
    both = probe_probabilities(features[labeled], y[labeled],
                               np.concatenate([features, test_features]), 2, seed=2)
    w = result.probe_weight
    np.testing.assert_allclose(result.pool_outputs.probs,
                               (1 - w) * own.probs + w * both[:72], atol=1e-5)
    np.testing.assert_allclose(result.test_outputs.probs,
                               (1 - w) * own_test.probs + w * both[72:], atol=1e-5)
    mean = run_step(x, labeled, y[labeled], 2, replace(config, probe_weighting="mean"),
                    seed=2, x_test=x_test, y_test=y_test, test_features=test_features)
    assert mean.probe_weight == 0.5


def test_too_few_labels_for_a_slice_keep_the_mean_and_a_bad_weighting_is_refused() -> None:
    x, y = separable_images(n=32, classes=2)
    features = x.reshape(len(x), -1)[:, ::16]
    config = replace(_config(), probe_features=features, probe_weighting="held_back")
    result = run_step(x, np.arange(12), y[:12], 2, config, seed=1)
    assert result.train is not None and result.train.n_val == 0
    assert result.probe_weight == 0.5
    with pytest.raises(ValueError, match="probe weighting"):
        run_step(x, np.arange(12), y[:12], 2, replace(config, probe_weighting="best"))


def test_a_probe_kept_out_of_ranking_picks_what_the_classifier_alone_picks() -> None:
    """probe_in_ranking=False: the step's model (pool and test probabilities, figures) is the
    blend, but the picks are exactly those of the same step without a probe."""
    x, y = separable_images(n=64, classes=3, seed=1)
    x_test, y_test = separable_images(n=24, classes=3, seed=2)
    features = x.reshape(len(x), -1)[:, ::16]
    test_features = x_test.reshape(len(x_test), -1)[:, ::16]
    labeled = np.arange(18)
    plain = run_step(x, labeled, y[labeled], 3, _config(), seed=4, x_test=x_test,
                     y_test=y_test)
    config = replace(_config(), probe_features=features, probe_in_ranking=False)
    kept_out = run_step(x, labeled, y[labeled], 3, config, seed=4, x_test=x_test,
                        y_test=y_test, test_features=test_features)
    ranked = run_step(x, labeled, y[labeled], 3, replace(config, probe_in_ranking=True),
                      seed=4, x_test=x_test, y_test=y_test, test_features=test_features)
    np.testing.assert_array_equal(kept_out.selection.indices, plain.selection.indices)
    assert kept_out.pool_outputs is not None and ranked.pool_outputs is not None
    np.testing.assert_allclose(kept_out.pool_outputs.probs, ranked.pool_outputs.probs)
    assert kept_out.test_metrics == ranked.test_metrics != plain.test_metrics
