"""A round on a real project: cold start, training, queue, checkpoint, cancel."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from alstudio.errors import Cancelled
from alstudio.jobs import CancelToken, Progress
from alstudio.learning.checkpoints import checkpoint_from_bytes
from alstudio.learning.device import pick_device
from alstudio.learning.inference import predict
from alstudio.learning.training import TrainConfig
from alstudio.project import Project
from alstudio.workflow import RoundConfig, run_round
from alstudio.workflow.inputs import ProjectInputs

QUICK = TrainConfig(max_epochs=3, min_steps=20, patience=2)


def label_queue_from_reference(path: Path, round_id: int) -> None:
    with Project.open(path) as project:
        names = project.class_names()
        reference = project.reference_labels("pool")
        for entry in project.queue(round_id):
            project.add_label(entry.item_id, "oracle", names[reference[entry.item_id]],
                              seconds_spent=1.0)


def test_cold_start_then_trained_round(demo_path: Path) -> None:
    demo = demo_path
    first = run_round(demo, RoundConfig(batch_size=16, train=QUICK))
    assert first.round.number == 1 and first.round.checkpoint_id is None
    assert first.metrics["cold_start"] and "Cold start" in first.explanation
    assert len(first.queue) == 16
    with Project.open(demo) as project:
        pool = set(project.item_ids("pool"))
    assert {e.item_id for e in first.queue} <= pool

    label_queue_from_reference(demo, first.round.id)
    steps: list[Progress] = []
    second = run_round(demo, RoundConfig(batch_size=10, train=QUICK), progress=steps.append)
    assert second.round.number == 2 and second.round.labels_used == 16
    assert not {e.item_id for e in second.queue} & {e.item_id for e in first.queue}
    assert all(e.probs is not None and abs(sum(e.probs) - 1) < 1e-4 for e in second.queue)
    test = second.metrics["test"]
    assert test["n"] == 155 and 0.0 <= test["balanced_accuracy"] <= 1.0
    assert set(test["per_class"]) == {"malignant", "benign/normal"}
    phases = {step.phase for step in steps}
    assert {"preparing inputs", "scoring", "selecting", "saving"} <= phases
    assert any(phase.startswith("epoch") for phase in phases)

    # The stored checkpoint rebuilds the model that scored the queue.
    with Project.open(demo) as project:
        blob = project.checkpoint(second.round.checkpoint_id)
        model, meta = checkpoint_from_bytes(blob.weights)
        inputs = ProjectInputs(project, int(meta["image_size"]))
        x = np.asarray(inputs.view([e.item_id for e in second.queue]))
        inputs.close()
    # scored again on the device the round used; CUDA scores in half precision (AMP), where
    # probabilities agree to about 1e-3 rather than to float32 rounding
    device = pick_device("auto")
    probs = predict(model, x, device=device).probs
    np.testing.assert_allclose(probs, [e.probs for e in second.queue],
                               atol=2e-3 if device.type == "cuda" else 1e-4)


def test_cancelled_round_leaves_the_project_unchanged(demo_path: Path) -> None:
    demo = demo_path
    with Project.open(demo) as project:
        rounds_before = len(project.rounds())
        names = project.class_names()
        for item_id, label in list(project.reference_labels("pool").items())[:12]:
            project.add_label(item_id, "oracle", names[label])
    token = CancelToken()

    def cancel_in_training(step: Progress) -> None:
        if step.phase.startswith("epoch"):
            token.cancel()

    with pytest.raises(Cancelled):
        run_round(demo, RoundConfig(batch_size=5, train=QUICK), progress=cancel_in_training,
                  cancel=token)
    conn = sqlite3.connect(demo)
    assert conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == rounds_before
    conn.close()


def test_a_checkpoint_committee_votes_with_the_new_model(
        demo_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from alstudio.workflow.committee import past_models

    demo = demo_path
    first = run_round(demo, RoundConfig(batch_size=16, train=QUICK))
    label_queue_from_reference(demo, first.round.id)
    second = run_round(demo, RoundConfig(batch_size=10, train=QUICK))
    label_queue_from_reference(demo, second.round.id)
    with Project.open(demo) as project:
        size = int(checkpoint_from_bytes(
            project.checkpoint(second.round.checkpoint_id).weights)[1]["image_size"])
        assert len(past_models(project, limit=4, image_size=size, in_channels=1,
                               num_classes=2)) == 1
        assert past_models(project, limit=4, image_size=size + 1, in_channels=1,
                           num_classes=2) == []  # built for other inputs: no vote

    with caplog.at_level(logging.INFO, logger="alstudio.engine.scoring"):
        third = run_round(demo, RoundConfig(strategy="vote_entropy", batch_size=8,
                                            train=QUICK, committee="checkpoints"))
    # The earlier checkpoint scored these items in its own round: its votes are read back.
    assert [r for r in caplog.records if "read from the score cache" in r.getMessage()]
    assert third.round.params["committee"] == "checkpoints"
    assert third.round.strategy == "vote_entropy" and len(third.queue) == 8
    assert "Committee: the new model and 1 earlier checkpoint(s)." in third.round.explanation


@pytest.mark.parametrize(("rule", "used", "left_out"), [("all", 1, 2), ("majority", 2, 1)])
def test_disagreements_stay_out_of_training_and_the_round_says_so(
        demo_path: Path, rule: str, used: int, left_out: int) -> None:
    with Project.open(demo_path) as project:
        a, b, c = project.item_ids("pool")[:3]
        names = project.class_names()
        for item_id, votes in ((a, (0, 0)), (b, (0, 0, 1)), (c, (0, 1))):
            for n, vote in enumerate(votes):
                project.add_label(item_id, f"reader{n}", names[vote])
        project.set_reading_settings(consensus=rule, second_read_fraction=0.25)
    outcome = run_round(demo_path, RoundConfig(batch_size=8, train=QUICK))
    assert outcome.round.labels_used == used
    assert f"{left_out} item(s) left out of training" in outcome.explanation
    with Project.open(demo_path) as project:
        planned = project.planned_reads()
    assert len(planned) == 2 and set(planned) <= {e.item_id for e in outcome.queue}


def test_a_round_takes_a_strategy_with_its_knobs_set(demo_path: Path) -> None:
    first = run_round(demo_path, RoundConfig(batch_size=16, train=QUICK))
    label_queue_from_reference(demo_path, first.round.id)
    config = RoundConfig(strategy="default:rare_share=0.25", batch_size=8, train=QUICK)
    assert config.strategy == "coreset_uncertainty"
    assert config.strategy_params == {"rare_share": 0.25}
    second = run_round(demo_path, config)
    assert second.round.strategy == "coreset_uncertainty"
    kept = [e for e in second.queue if "share kept for the rarest class" in e.reason]
    assert len(kept) == 2  # ceil(0.25 * 8)
    assert "2 of the batch: the candidates most likely to be class" in second.explanation
