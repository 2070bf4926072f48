"""Test-time flip averaging: what it averages, and that the simulator's picks stay the same."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from alstudio.engine import StepConfig, run_step
from alstudio.errors import AlstudioError
from alstudio.evaluation.seed_merge import merge_results, single_view_result
from alstudio.evaluation.simulate import SimulationConfig, simulate
from alstudio.learning.inference import mirror_averaged, mirrored, predict
from alstudio.learning.models import build_model
from alstudio.learning.pretrain import PretrainConfig
from alstudio.learning.training import TrainConfig
from alstudio.workflow.demo import demo_archive

ROOT = Path(__file__).resolve().parents[2]


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
    plain = copy.deepcopy(plain)
    del plain["config"]["mirror_test"]  # written before the option: no flip averaging
    with pytest.raises(AlstudioError, match="mirror_test"):
        merge_results([plain, other])


def test_a_flip_averaged_run_keeps_the_single_view_of_the_same_models(
        runs: tuple[dict, dict]) -> None:
    """The single view it records is what the plain run measured: the same picks and the
    same trainings, so the flip's effect is read on one model per budget."""
    plain, flipped = runs
    for strategy in ("random", "coreset_uncertainty"):
        for metric in ("balanced_accuracy", "auc"):
            np.testing.assert_allclose(flipped["curves"][strategy][f"{metric}_single_view"],
                                       plain["curves"][strategy][metric], atol=1e-9)
    assert "balanced_accuracy_single_view" not in plain["curves"]["random"]
    np.testing.assert_allclose(
        flipped["full_data"]["auc_single_view"]["per_seed"],
        plain["full_data"]["auc"]["per_seed"], atol=1e-9)
    single = single_view_result(flipped, "flipped.json")
    assert single["config"]["mirror_test"] is False
    assert single["summary"]["coreset_uncertainty"]["auc"]["aulc"] == pytest.approx(
        plain["summary"]["coreset_uncertainty"]["auc"]["aulc"])
    assert "auc_single_view" not in single["curves"]["random"]
    with pytest.raises(AlstudioError, match="kept no single-view"):
        single_view_result(plain, "plain.json")


def test_merged_flip_averaged_runs_keep_their_single_views(runs: tuple[dict, dict]) -> None:
    _, flipped = runs
    other = copy.deepcopy(flipped)
    other["config"]["first_seed"] = 1
    merged = merge_results([flipped, other])
    assert merged["full_data"]["balanced_accuracy_single_view"]["per_seed"] == 2 * \
        flipped["full_data"]["balanced_accuracy_single_view"]["per_seed"]
    assert len(single_view_result(merged)["curves"]["random"]["auc"]) == 2


def test_the_ablation_table_pairs_a_flip_averaged_run_with_its_own_single_view(
        runs: tuple[dict, dict], tmp_path: Path) -> None:
    _, flipped = runs
    (tmp_path / "breastmnist-natural-mirror.json").write_text(json.dumps(flipped))
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ablation.py"), "--table",
                          str(tmp_path)], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    assert "| natural | + flip averaging at test time |" in out
    assert "| natural | the same models, single view (no flip) |" in out
    flips = [line for line in out.splitlines() if line.startswith("| BreastMNIST | natural | `")]
    assert [line.split(" | ")[2] for line in flips] == ["`random`", "`coreset_uncertainty`"]


def test_flip_averaging_is_refused_with_a_feature_probe() -> None:
    with pytest.raises(AlstudioError, match="feature probe"):
        SimulationConfig(mirror_test=True, pretrain=PretrainConfig(epochs=1),
                         encoder_use="probe")
    x = np.random.default_rng(0).random((8, 1, 28, 28), dtype=np.float32)
    config = StepConfig(mirror_test=True, probe_features=np.zeros((8, 4), np.float32))
    with pytest.raises(ValueError, match="feature probe"):
        run_step(x, np.arange(4), np.array([0, 1, 0, 1]), 2, config, x_test=x[:2],
                 y_test=np.array([0, 1]), test_features=np.zeros((2, 4), np.float32))
