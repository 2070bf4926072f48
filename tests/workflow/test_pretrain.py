"""`alstudio pretrain` on the demo project: stored, resumed, cancelled, used by rounds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alstudio.errors import AlstudioError, Cancelled
from alstudio.jobs import CancelToken, Progress
from alstudio.learning.pretrain import ENCODER_KIND, encoder_from_bytes
from alstudio.learning.training import TrainConfig
from alstudio.project import Project
from alstudio.workflow import RoundConfig, run_round
from alstudio.workflow.pretrain import run_pretrain
from tests.workflow.test_round import label_queue_from_reference

QUICK = TrainConfig(max_epochs=2, min_steps=8, patience=2)
SIZE = 16  # small inputs keep pretraining and rounds quick


def test_pretrain_stores_resumes_and_rounds_use_it(demo_path: Path) -> None:
    steps: list[Progress] = []
    first = run_pretrain(demo_path, epochs=1, threads=1, image_size=SIZE,
                         progress=steps.append)
    assert first.epochs_done == 1 and first.resumed_from is None
    assert any(s.phase == "pretraining" for s in steps)
    second = run_pretrain(demo_path, epochs=1, threads=1, image_size=SIZE)
    assert second.epochs_done == 2 and second.resumed_from == first.checkpoint_id
    with Project.open(demo_path) as project:
        blob = project.latest_checkpoint_of_kind(ENCODER_KIND)
        assert blob is not None and blob.id == second.checkpoint_id
        assert blob.hyperparameters["kind"] == ENCODER_KIND
        assert encoder_from_bytes(blob.weights).epochs_done == 2

    plain = run_round(demo_path, RoundConfig(batch_size=12, train=QUICK, threads=1,
                                             image_size=SIZE))
    assert plain.metrics["cold_start"] and "typiclust" not in plain.explanation
    assert plain.round.params["encoder"] is False  # opt-in: an encoder alone changes nothing
    cold = run_round(demo_path, RoundConfig(batch_size=12, train=QUICK, threads=1,
                                            image_size=SIZE, use_encoder=True))
    assert cold.metrics["cold_start"] and "typiclust" in cold.explanation
    assert "pretrained" in cold.explanation and cold.round.params["encoder"] is True
    label_queue_from_reference(demo_path, cold.round.id)
    trained = run_round(demo_path, RoundConfig(batch_size=5, train=QUICK, threads=1,
                                               image_size=SIZE, use_encoder=True))
    with Project.open(demo_path) as project:
        hyper = project.checkpoint(trained.round.checkpoint_id).hyperparameters
    assert str(hyper["initial_weights"]).endswith(f"{blob.digest}.safetensors")
    scratch = run_round(demo_path, RoundConfig(batch_size=5, train=QUICK, threads=1,
                                               image_size=SIZE))
    with Project.open(demo_path) as project:
        hyper = project.checkpoint(scratch.round.checkpoint_id).hyperparameters
    assert hyper["initial_weights"] is None and scratch.round.params["encoder"] is False


def test_a_round_asked_to_use_a_missing_encoder_says_what_to_do(demo_path: Path) -> None:
    with pytest.raises(AlstudioError, match="no pool encoder") as refused:
        run_round(demo_path, RoundConfig(batch_size=5, threads=1, image_size=SIZE,
                                         use_encoder=True))
    assert "alstudio pretrain" in str(refused.value.hint)
    run_pretrain(demo_path, epochs=1, threads=1, image_size=SIZE)
    with pytest.raises(AlstudioError, match="no pool encoder for 20 px"):  # another size
        run_round(demo_path, RoundConfig(batch_size=5, threads=1, image_size=20,
                                         use_encoder=True))


def test_cancelled_pretraining_stores_nothing(demo_path: Path) -> None:
    token = CancelToken()

    def cancel_once_training(step: Progress) -> None:
        if step.phase == "pretraining":
            token.cancel()

    with pytest.raises(Cancelled):
        run_pretrain(demo_path, epochs=1, threads=1, image_size=SIZE,
                     progress=cancel_once_training, cancel=token)
    with Project.open(demo_path) as project:
        assert project.latest_checkpoint_of_kind(ENCODER_KIND) is None


def test_cancel_after_an_epoch_keeps_it_and_the_next_run_continues(demo_path: Path) -> None:
    token = CancelToken()

    def cancel_in_the_second_epoch(step: Progress) -> None:
        if step.message.startswith("epoch 2"):
            token.cancel()

    with pytest.raises(Cancelled):
        run_pretrain(demo_path, epochs=3, threads=1, image_size=SIZE,
                     progress=cancel_in_the_second_epoch, cancel=token)
    with Project.open(demo_path) as project:
        blob = project.latest_checkpoint_of_kind(ENCODER_KIND)
    assert blob is not None and blob.hyperparameters["cancelled"] is True
    kept = blob.hyperparameters["epochs_done"]
    assert 1 <= kept <= 2 and encoder_from_bytes(blob.weights).epochs_done == kept
    assert blob.metrics["run_epochs"] == kept and blob.metrics["run_seconds"] > 0
    again = run_pretrain(demo_path, epochs=1, threads=1, image_size=SIZE)
    assert again.resumed_from == blob.id and again.epochs_done == kept + 1


def test_cli_pretrain(demo_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "alstudio", "pretrain", str(demo_path),
                           "--epochs", "1", "--threads", "1", "--image-size", "16"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Encoder pretrained on" in done.stdout and "1 epoch(s)" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "alstudio", "pretrain", str(demo_path),
                          "--epochs", "0"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "at least 1 epoch" in bad.stderr


def test_cli_round_starts_from_the_encoder_only_with_encoder(demo_path: Path) -> None:
    def round_cli(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "alstudio", "round", str(demo_path),
                               "--batch", "5", "--json", *extra],
                              capture_output=True, text=True, timeout=300)

    missing = round_cli("--encoder")
    assert missing.returncode == 1 and "alstudio pretrain" in missing.stderr
    assert "Traceback" not in missing.stderr
    run_pretrain(demo_path, epochs=1, threads=1)  # the size and channels a round picks
    for extra, used in ((), False), (("--no-encoder",), False), (("--encoder",), True):
        done = round_cli(*extra)
        assert done.returncode == 0, done.stderr
        assert ("typiclust" in json.loads(done.stdout)["explanation"]) is used, extra
        with Project.open(demo_path) as project:
            latest = project.latest_round()
        assert latest is not None and latest.params["encoder"] is used
