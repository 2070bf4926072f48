"""Stream mode with a damaged newest checkpoint: the bad one is left out with its reason and an
earlier round's model judges the newcomers; with no good checkpoint left it stops and says to
run a round.

Real project (the demo after its rounds), real checkpoints whose safetensors metadata is
rewritten inside the SQLite file, the real CLI for the JSON.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from alstudio.errors import AlstudioError
from alstudio.learning.checkpoints import read_safetensors
from alstudio.project import Project
from alstudio.workflow import run_stream
from tests.workflow.project_factory import deliver_noise


def _trained(project_path: Path) -> list[tuple[int, int]]:
    """(round number, checkpoint id) of the trained rounds, newest first."""
    with Project.open(project_path) as project:
        return [(r.number, r.checkpoint_id) for r in reversed(project.rounds())
                if r.checkpoint_id is not None]


def _damage(project_path: Path, checkpoint_id: int, **changes: object) -> None:
    """Rewrite one checkpoint's metadata fields in the project file itself."""
    with sqlite3.connect(project_path) as db:
        (blob,) = db.execute("SELECT weights FROM checkpoints WHERE id = ?",
                             (checkpoint_id,)).fetchone()
        _, raw = read_safetensors(bytes(blob))
        raw.update({k: json.dumps(v) for k, v in changes.items()})
        db.execute("UPDATE checkpoints SET weights = ? WHERE id = ?",
                   (st_save(st_load(bytes(blob)), metadata=raw), checkpoint_id))
    db.close()


def test_stream_uses_an_older_checkpoint_when_the_newest_is_bad(
        rounds_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    trained = _trained(rounds_path)
    assert len(trained) >= 2
    (newest, newest_ckpt), (older, _older_ckpt) = trained[0], trained[1]
    deliver_noise(rounds_path, tmp_path / "delivery", seed=1)
    _damage(rounds_path, newest_ckpt, dropout="abc")

    with caplog.at_level(logging.WARNING, logger="alstudio.workflow.stream"):
        outcome = run_stream(rounds_path, budget=3, accept_fraction=0.1)
    assert outcome.round.params["base_round"] == older
    assert outcome.round.checkpoint_id != newest_ckpt
    assert outcome.metrics["judged"] == 8 and 1 <= len(outcome.queue) <= 3
    assert len(outcome.left_out) == 1
    left = outcome.left_out[0]
    assert (left["round"], left["checkpoint"]) == (newest, newest_ckpt)
    assert "dropout is 'abc'" in left["reason"]
    assert outcome.round.params["left_out_checkpoints"] == outcome.left_out
    assert f"Left out the checkpoint of round {newest}'s" in outcome.explanation
    assert f"used round {older}'s instead" in outcome.explanation
    logged = [r.getMessage() for r in caplog.records if "leaves out" in r.getMessage()]
    assert logged and "dropout is 'abc'" in logged[0]


def test_stream_cli_names_the_left_out_checkpoint_and_stops_when_none_is_good(
        rounds_path: Path, tmp_path: Path) -> None:
    trained = _trained(rounds_path)
    deliver_noise(rounds_path, tmp_path / "delivery", seed=1)
    _damage(rounds_path, trained[0][1], num_classes=2e8)

    result = subprocess.run([sys.executable, "-m", "alstudio", "stream", str(rounds_path),
                             "--budget", "3", "--json"], capture_output=True, text=True,
                            timeout=300, check=True)
    report = json.loads(result.stdout)
    assert report["left_out_checkpoints"][0]["round"] == trained[0][0]
    assert "num_classes is 200000000.0, not a whole number" in \
        report["left_out_checkpoints"][0]["reason"]
    assert report["queued"], report

    for _number, checkpoint_id in trained[1:]:
        _damage(rounds_path, checkpoint_id, in_channels=[1])
    deliver_noise(rounds_path, tmp_path / "second delivery", seed=2)  # new since the stream round
    with pytest.raises(AlstudioError, match="No trained round has a usable checkpoint") as info:
        run_stream(rounds_path, budget=3)
    assert "Run a round" in (info.value.hint or "")
    assert "in_channels is [1]" in str(info.value)
