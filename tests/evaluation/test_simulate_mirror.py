"""Test-time flip averaging: what it averages, and that the simulator's picks stay the same."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from alstudio.errors import AlstudioError
from alstudio.evaluation.seed_merge import merge_results
from alstudio.evaluation.simulate import SimulationConfig, simulate
from alstudio.learning.inference import mirror_averaged, mirrored, predict
from alstudio.learning.models import build_model
from alstudio.learning.training import TrainConfig
from alstudio.workflow.demo import demo_archive


def test_the_mirror_flips_left_to_right_only() -> None:
    x = np.arange(2 * 1 * 3 * 3, dtype=np.float32).reshape(2, 1, 3, 3)
    flipped = mirrored(x)
    np.testing.assert_array_equal(flipped[0, 0, 0], [2, 1, 0])
    np.testing.assert_array_equal(flipped[0, 0, :, 0], x[0, 0, :, 2])
    np.testing.assert_array_equal(flipped[..., ::-1], x)
    assert flipped.flags["C_CONTIGUOUS"]


def test_flip_averaging_is_the_mean_of_both_views_and_keeps_the_embeddings() -> None:
    torch.manual_seed(0)
    model = build_model("small_cnn", 1, 3, 28)
    rng = np.random.default_rng(0)
    x = rng.random((6, 1, 28, 28), dtype=np.float32)
    plain = predict(model, x)
    averaged = mirror_averaged(model, x, plain)
    expected = (plain.probs + predict(model, mirrored(x)).probs) / 2
    np.testing.assert_allclose(averaged.probs, expected, rtol=1e-5)
    np.testing.assert_allclose(averaged.probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(averaged.embeddings, plain.embeddings)
    assert not np.allclose(averaged.probs, plain.probs)  # the mirror is another view
    symmetric = (x + mirrored(x)) / 2  # a scan that is its own mirror: nothing changes
    once = predict(model, symmetric)
    np.testing.assert_allclose(mirror_averaged(model, symmetric, once).probs, once.probs,
                               rtol=1e-4, atol=1e-6)


@pytest.fixture(scope="module")
def runs() -> tuple[dict, dict]:
    def run(mirror: bool) -> dict:
        config = SimulationConfig(strategies=["random", "coreset_uncertainty"], seeds=1,
                                  initial=10, batch=10, budget=30, threads=1,
                                  train=TrainConfig(max_epochs=2, min_steps=10),
                                  mirror_test=mirror)
        return simulate(demo_archive(), config)
    return run(False), run(True)


def test_a_flip_averaged_run_picks_the_same_scans_and_only_reports_differently(
        runs: tuple[dict, dict]) -> None:
    plain, flipped = runs
    assert flipped["config"]["mirror_test"] is True
    assert plain["config"]["mirror_test"] is False
    for strategy in ("random", "coreset_uncertainty"):
        # the rare-class count follows the picks alone: the same picks at every budget
        assert (flipped["curves"][strategy]["positives"]
                == plain["curves"][strategy]["positives"])
    curves = [run["curves"]["coreset_uncertainty"]["auc"][0] for run in runs]
    assert curves[0] != curves[1]
    assert all(0 <= v <= 1 for v in curves[1])


def test_a_flip_averaged_run_is_never_merged_with_a_plain_one(runs: tuple[dict, dict]) -> None:
    plain, flipped = runs
    other = copy.deepcopy(flipped)
    other["config"]["first_seed"] = 1
    with pytest.raises(AlstudioError, match="mirror_test"):
        merge_results([plain, other])
    del plain["config"]["mirror_test"]  # written before the option: no flip averaging
    with pytest.raises(AlstudioError, match="mirror_test"):
        merge_results([plain, other])
