"""The simulator end to end through the CLI, on the shipped BreastMNIST archive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alstudio.evaluation.curves import area_under_curve, label_efficiency, labels_to_reach
from alstudio.workflow.demo import demo_archive


def test_tiny_simulation_writes_valid_json_and_a_plot(tmp_path: Path) -> None:
    out, plot = tmp_path / "sim.json", tmp_path / "sim.png"
    result = subprocess.run(
        [sys.executable, "-m", "alstudio", "simulate", str(demo_archive()),
         "--strategies", "default,entropy:density_weight=0.5", "--seeds", "2",
         "--initial", "10", "--batch", "10",
         "--budget", "30", "--max-epochs", "2", "--min-steps", "10", "--json", str(out),
         "--plot", str(plot)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())  # strict JSON: NaN would not parse back as a number
    assert data["budgets"] == [10, 20, 30]
    assert data["config"]["strategies"] == ["random", "coreset_uncertainty",
                                            "entropy:density_weight=0.5"]
    for strategy in data["config"]["strategies"]:
        curves = data["curves"][strategy]["balanced_accuracy"]
        assert len(curves) == 2 and all(len(c) == 3 for c in curves)
        summary = data["summary"][strategy]["balanced_accuracy"]
        assert len(summary["mean"]) == 3 and "label_efficiency" in summary
    assert set(data["full_data"]) == {"balanced_accuracy", "auc"}
    assert plot.stat().st_size > 10_000
    assert "coreset_uncertainty" in result.stdout and "simulating" in result.stderr
    assert "95% interval from a bootstrap over seeds" in result.stdout  # two seeds: a spread


def test_label_efficiency_arithmetic() -> None:
    budgets = [20, 40, 60, 80]
    assert labels_to_reach(budgets, [0.5, 0.6, 0.7, 0.8], 0.65) == pytest.approx(50.0)
    assert labels_to_reach(budgets, [0.5, 0.6, 0.7, 0.8], 0.9) is None
    assert labels_to_reach(budgets, [0.9, 0.6, 0.7, 0.8], 0.85) == 20.0
    assert label_efficiency(80.0, 40.0) == 2.0
    assert label_efficiency(None, 40.0) is None
    assert area_under_curve([0, 10], [0.5, 1.0]) == 0.75


def test_colour_archive_gives_three_channel_inputs_and_model(tmp_path: Path) -> None:
    """A RetinaMNIST-like archive (28x28x3) keeps its colour up to the model's first layer."""
    import numpy as np

    from alstudio.evaluation.simulate import load_archive
    from alstudio.learning.training import TrainConfig, train_model

    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 40), ("val", 8), ("test", 10)):
        arrays[f"{split}_images"] = rng.integers(0, 255, (n, 28, 28, 3), dtype=np.uint8)
        arrays[f"{split}_labels"] = (np.arange(n) % 5).astype(np.uint8).reshape(-1, 1)
    colour = tmp_path / "retina.npz"
    np.savez_compressed(colour, **arrays)
    data = load_archive(colour, None)
    assert data["x_pool"].shape == (48, 3, 28, 28) and data["x_test"].shape[1] == 3
    trained = train_model(data["x_pool"], data["y_pool"], 5,
                          TrainConfig(max_epochs=1, min_steps=2, num_threads=1))
    assert trained.model.in_channels == 3
    assert trained.model.architecture()["in_channels"] == 3
    assert load_archive(demo_archive(), None)["x_pool"].shape[1] == 1  # grey stays grey


def test_positives_per_100_labels_arithmetic() -> None:
    from alstudio.evaluation.curves import positives_per_100
    from alstudio.evaluation.report import format_summary

    rates = positives_per_100([[1, 4, 9], [3, 6, 11]], [20, 40, 100])
    assert rates["per_budget"] == pytest.approx([10.0, 12.5, 10.0])
    assert rates["found"] == 10.0 and rates["final"] == pytest.approx(10.0)
    with pytest.raises(ValueError):
        positives_per_100([[1, 2]], [20, 40, 60])
    metric = {"final_mean": 0.7, "final_std": 0.01, "aulc": 0.6, "labels_to_target": 40.0,
              "label_efficiency": 1.5}
    table = format_summary({
        "dataset": "x", "scenario": "rare", "budgets": [20, 40],
        "full_data": {"balanced_accuracy": {"mean": 0.8}, "auc": {"mean": 0.9}},
        "summary": {"random": {"balanced_accuracy": metric, "auc": metric,
                               "positives": rates}}})
    assert "rare/100" in table and table.splitlines()[-1].endswith("10.0")
