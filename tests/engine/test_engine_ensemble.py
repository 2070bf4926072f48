"""A deep ensemble in a step and a simulation: member 0 is the lone classifier."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from alstudio.engine import StepConfig, run_step
from alstudio.errors import AlstudioError
from alstudio.evaluation.seed_merge import merge_results
from alstudio.evaluation.simulate import SimulationConfig, simulate
from alstudio.learning.ensemble import averaged, member_seed, train_other_members
from alstudio.learning.inference import predict
from alstudio.learning.models import build_model
from alstudio.learning.training import TrainConfig
from alstudio.workflow.demo import demo_archive

QUICK = TrainConfig(max_epochs=2, min_steps=10, num_threads=1)


def two_class_pool(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], 30)
    x = rng.normal(0, 1, (60, 1, 28, 28)).astype(np.float32)
    x[y == 1, :, 8:20, 8:20] += 2.0
    return x, y


def test_averaging_is_the_mean_of_every_member_and_keeps_member_0_s_embeddings() -> None:
    torch.manual_seed(0)
    models = [build_model("small_cnn", 1, 3, 28) for _ in range(3)]
    x = np.random.default_rng(0).random((5, 1, 28, 28), dtype=np.float32)
    first = predict(models[0], x)
    mean = averaged(first, models[1:], x)
    expected = np.mean([predict(m, x).probs for m in models], axis=0)
    np.testing.assert_allclose(mean.probs, expected, rtol=1e-5)
    np.testing.assert_array_equal(mean.embeddings, first.embeddings)
    assert mean.committee is not None and mean.committee.shape == (3, 5, 3)
    assert averaged(first, [], x) is first  # an ensemble of one changes nothing


def test_each_member_trains_from_its_own_seed_and_none_repeats_a_round_s() -> None:
    x, y = two_class_pool()
    members = train_other_members(x, y, 2, QUICK, 3)
    assert len(members) == 2 and train_other_members(x, y, 2, QUICK, 1) == []
    probs = [predict(m.model, x).probs for m in members]
    assert not np.allclose(probs[0], probs[1])
    seeds = {member_seed(7, m) for m in range(3)}
    assert len(seeds) == 3 and not seeds & {7 * 1000 + step for step in range(1, 100)}


def test_a_step_s_ensemble_ranks_on_the_mean_and_keeps_member_0_as_its_model() -> None:
    x, y = two_class_pool()
    labeled = np.concatenate([np.arange(6), np.arange(30, 36)])
    plain = run_step(x, labeled, y[labeled], 2, StepConfig(train=QUICK, batch_size=5), seed=3,
                     x_test=x[:10], y_test=y[:10])
    three = run_step(x, labeled, y[labeled], 2,
                     StepConfig(train=QUICK, batch_size=5, ensemble_members=3), seed=3,
                     x_test=x[:10], y_test=y[:10])
    assert three.classifier_outputs is not None and three.pool_outputs is not None
    # member 0 is the lone classifier of the same seed, trained identically
    np.testing.assert_allclose(three.classifier_outputs.probs, plain.pool_outputs.probs,
                               rtol=1e-5, atol=1e-6)
    assert not np.allclose(three.pool_outputs.probs, three.classifier_outputs.probs)
    assert three.test_outputs is not None and three.classifier_test_outputs is not None
    assert not np.allclose(three.test_outputs.probs, three.classifier_test_outputs.probs)
    assert len(three.selection.indices) == 5


def test_an_ensemble_is_refused_beside_a_flip_or_with_no_members() -> None:
    x, y = two_class_pool()
    labeled = np.array([0, 1, 30, 31])
    with pytest.raises(ValueError, match="ensemble"):
        run_step(x, labeled, y[labeled], 2, StepConfig(ensemble_members=3, mirror_test=True))
    with pytest.raises(AlstudioError, match="at least one member"):
        run_step(x, labeled, y[labeled], 2, StepConfig(ensemble_members=0))
    with pytest.raises(AlstudioError, match="ensemble"):
        SimulationConfig(ensemble_members=3, mirror_test=True)


@pytest.mark.slow  # two short simulations on the demo
def test_a_simulated_ensemble_is_recorded_and_never_merged_with_a_lone_classifier() -> None:
    def run(members: int) -> dict:
        return simulate(demo_archive(), SimulationConfig(
            strategies=["random"], seeds=1, initial=10, batch=10, budget=20, threads=1,
            train=TrainConfig(max_epochs=2, min_steps=10), ensemble_members=members))
    one, three = run(1), run(3)
    assert three["config"]["ensemble_members"] == 3
    # random's picks do not depend on the model: only the figures differ
    assert three["curves"]["random"]["positives"] == one["curves"]["random"]["positives"]
    assert three["curves"]["random"]["auc"] != one["curves"]["random"]["auc"]
    assert three["full_data"]["auc"]["mean"] != one["full_data"]["auc"]["mean"]
    later = copy.deepcopy(one)
    later["config"]["first_seed"] = 1
    with pytest.raises(AlstudioError, match="ensemble_members"):
        merge_results([three, later])
    older = copy.deepcopy(later)
    del older["config"]["ensemble_members"]  # written before the option: a lone classifier
    assert merge_results([one, older])["config"]["seeds"] == 2
