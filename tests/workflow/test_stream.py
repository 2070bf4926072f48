"""Stream mode on a real project: newcomers judged one by one with the last round's model."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from alstudio.errors import AlstudioError
from alstudio.learning.training import TrainConfig
from alstudio.project import Project
from alstudio.workflow import RoundConfig, run_round, run_stream
from tests.workflow.project_factory import deliver_noise

QUICK = TrainConfig(max_epochs=3, min_steps=20, patience=2)


def test_stream_queues_newcomers_within_budget(demo_path: Path, tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    path = demo_path
    with Project.open(path) as project:
        names = project.class_names()
        for item_id, label in list(project.reference_labels("pool").items())[:30]:
            project.add_label(item_id, "oracle", names[label])
    with pytest.raises(AlstudioError, match="Run a round first"):
        run_stream(path, budget=3)
    trained = run_round(path, RoundConfig(batch_size=5, train=QUICK))
    with pytest.raises(AlstudioError, match="No unlabeled scans were imported"):
        run_stream(path, budget=3)

    # A delivery of new scans: 8 noise images, unlike any ultrasound crop.
    deliver_noise(path, tmp_path / "delivery", seed=0, prefix="noise")
    with caplog.at_level(logging.INFO, logger="alstudio.engine.scoring"):
        outcome = run_stream(path, budget=3, accept_fraction=0.1)
    # The base round's checkpoint scored the known pool: stream mode reads it back.
    assert [r for r in caplog.records if "read from the score cache" in r.getMessage()]
    assert outcome.round.strategy == "stream"
    assert outcome.round.checkpoint_id == trained.round.checkpoint_id
    assert outcome.metrics == {"judged": 8, "accepted": len(outcome.queue)}
    assert 1 <= len(outcome.queue) <= 3
    assert all(("novel" in e.reason or "uncertain" in e.reason) for e in outcome.queue)
