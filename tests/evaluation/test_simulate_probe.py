"""The simulator with the feature probe, on the shipped BreastMNIST archive."""

from __future__ import annotations

import copy

import pytest

from alstudio.errors import AlstudioError
from alstudio.evaluation.seed_merge import merge_results
from alstudio.evaluation.simulate import SimulationConfig, simulate
from alstudio.learning.pretrain import PretrainConfig
from alstudio.learning.training import TrainConfig
from alstudio.workflow.demo import demo_archive


def test_a_probe_run_trains_from_scratch_and_records_how_the_encoder_was_used() -> None:
    config = SimulationConfig(strategies=["random", "coreset_uncertainty"], seeds=1,
                              initial=10, batch=10, budget=30, threads=1,
                              train=TrainConfig(max_epochs=2, min_steps=10),
                              pretrain=PretrainConfig(epochs=1), encoder_use="probe")
    result = simulate(demo_archive(), config)
    assert result["config"]["encoder_use"] == "probe"
    assert result["config"]["train"]["initial_weights"] is None  # no fine-tuning
    assert result["seconds"]["pretrain"] > 0
    for strategy in ("random", "coreset_uncertainty"):
        curve = result["curves"][strategy]["balanced_accuracy"][0]
        assert len(curve) == 3 and all(0 <= v <= 1 for v in curve)
    assert 0.5 < result["full_data"]["balanced_accuracy"]["mean"] <= 1

    # a fine-tuned run of the same settings is another benchmark: never merged with this one
    other = copy.deepcopy(result)
    other["config"]["encoder_use"] = "finetune"
    other["config"]["first_seed"] = 1
    with pytest.raises(AlstudioError, match="encoder_use probe vs finetune"):
        merge_results([result, other])
    del other["config"]["encoder_use"]  # written before the option: it fine-tuned
    with pytest.raises(AlstudioError, match="encoder_use probe vs finetune"):
        merge_results([result, other])


def test_an_unknown_encoder_use_is_refused() -> None:
    with pytest.raises(AlstudioError, match="Unknown encoder use 'weights'"):
        SimulationConfig(encoder_use="weights")


def test_how_the_probe_is_weighted_and_whether_it_ranks_are_recorded_and_kept_apart() -> None:
    """The classifier ranks, the probe shares the model: both choices are in the result, and
    a run that made another choice is never merged with it (older files: mean, ranking)."""
    config = SimulationConfig(strategies=["random", "coreset_uncertainty"], seeds=1,
                              initial=10, batch=10, budget=30, threads=1,
                              train=TrainConfig(max_epochs=2, min_steps=10),
                              pretrain=PretrainConfig(epochs=1), encoder_use="probe",
                              probe_weighting="held_back", probe_in_ranking=False)
    result = simulate(demo_archive(), config)
    assert result["config"]["probe_weighting"] == "held_back"
    assert result["config"]["probe_in_ranking"] is False
    other = copy.deepcopy(result)
    other["config"]["first_seed"] = 1
    for key in ("probe_weighting", "probe_in_ranking"):
        del other["config"][key]
    with pytest.raises(AlstudioError, match="probe_weighting held_back vs mean; "
                                            "probe_in_ranking False vs True"):
        merge_results([result, other])
    with pytest.raises(AlstudioError, match="Unknown probe weighting 'best'"):
        SimulationConfig(probe_weighting="best")
