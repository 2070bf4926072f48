"""The model export: safetensors weights that load into the architecture, and its card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from alstudio.errors import AlstudioError
from alstudio.export import ExportOptions
from alstudio.learning.checkpoints import checkpoint_digest, checkpoint_to_bytes
from alstudio.learning.models import build_model
from alstudio.project import Project
from alstudio.project.timeutil import utc_now
from alstudio.workflow.export import run_export

TEST_METRICS = {"balanced_accuracy": 0.71, "auc": 0.8, "n": 12}


def save_trained_round(path: Path, labels: int) -> torch.nn.Module:
    """A round with a real (untrained) small CNN checkpoint, as a round stores it."""
    torch.manual_seed(0)
    model = build_model("small_cnn", 1, 2, 28)
    blob = checkpoint_to_bytes(model, {"classes": ["normal", "abnormal"],
                                       "hyperparameters": {"epochs": 3}})
    with Project.open(path) as project:
        project.save_round(
            strategy="coreset_uncertainty", params={}, seed=0, labels_used=labels,
            metrics={"test": TEST_METRICS, "labels": labels}, queue=[], started_at=utc_now(),
            checkpoint={"architecture": "small_cnn", "hyperparameters": {"epochs": 3},
                        "metrics": TEST_METRICS, "digest": checkpoint_digest(blob),
                        "weights": blob})
    return model


def test_model_loads_into_the_architecture(labeled_project: Path, tmp_path: Path) -> None:
    with Project.open(labeled_project) as project:
        project.save_round(strategy="random", params={}, seed=0, labels_used=4, metrics={},
                           queue=[], started_at=utc_now())
    model = save_trained_round(labeled_project, 5)
    out = tmp_path / "model"
    run_export(labeled_project, out, ExportOptions("model"))
    card = json.loads((out / "model_card.json").read_text())
    assert card["classes"] == ["normal", "abnormal"]
    arch = card["architecture"]
    assert arch["name"] == "small_cnn" and arch["image_size"] == 28
    assert card["input"]["shape"] == [1, 28, 28]
    assert "percentiles" in card["normalisation"]
    assert card["test_metrics"] == TEST_METRICS
    assert card["trained_on"]["labels"] == 5
    assert [r["strategy"] for r in card["strategy_history"]] == ["random",
                                                                 "coreset_uncertainty"]
    assert card["alstudio_version"]
    rebuilt = build_model(arch["name"], arch["in_channels"], arch["num_classes"],
                          arch["image_size"], dropout=arch["dropout"])
    rebuilt.load_state_dict(load_file(out / "model.safetensors"))
    rebuilt.eval()
    model.eval()
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(rebuilt(x), model(x))
    assert "load_file" in (out / "README.md").read_text()


def test_no_model_is_a_user_error(labeled_project: Path, tmp_path: Path) -> None:
    with pytest.raises(AlstudioError, match="no trained model"):
        run_export(labeled_project, tmp_path / "none", ExportOptions("model"))
    assert not (tmp_path / "none").exists() or not any((tmp_path / "none").iterdir())


def test_card_counts_the_labels_per_class_that_trained_it(demo_path: Path,
                                                          tmp_path: Path) -> None:
    """A real round on the demo: the card counts agreed labels by class, and an unsettled
    disagreement (not trained on) is not counted."""
    from alstudio.learning.training import TrainConfig
    from alstudio.workflow import RoundConfig, run_round

    with Project.open(demo_path) as project:
        names = project.class_names()
        reference = project.reference_labels("pool")
        ids = sorted(reference)[:24]
        for item in ids:
            project.add_label(item, "dr_a", names[reference[item]], seconds_spent=1.0)
        project.add_label(ids[0], "dr_b", names[1 - reference[ids[0]]], seconds_spent=1.0)
    expected = {name: sum(1 for i in ids[1:] if names[reference[i]] == name) for name in names}
    assert all(expected.values())  # both classes present, so the count is a real check
    run_round(demo_path, RoundConfig(batch_size=4, threads=1, image_size=16,
                                     train=TrainConfig(max_epochs=1, min_steps=4)))
    out = tmp_path / "model"
    run_export(demo_path, out, ExportOptions("model"))
    trained = json.loads((out / "model_card.json").read_text())["trained_on"]
    assert trained["labels_per_class"] == expected
    assert trained["labels"] == sum(expected.values()) == 23
    assert "labels_per_class_note" not in trained


def test_card_of_an_older_round_says_the_count_is_missing(labeled_project: Path,
                                                          tmp_path: Path) -> None:
    save_trained_round(labeled_project, 5)  # its metrics carry no labels_per_class
    run_export(labeled_project, tmp_path / "m", ExportOptions("model"))
    trained = json.loads((tmp_path / "m" / "model_card.json").read_text())["trained_on"]
    assert trained["labels_per_class"] is None and "not recorded" in trained[
        "labels_per_class_note"]
