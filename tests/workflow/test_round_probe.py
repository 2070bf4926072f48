"""A round with the feature probe: the queue and the test figures are the mean of the
classifier and a linear probe on the pool encoder's features; the checkpoint stays the
classifier, and the score cache keeps the checkpoint's own outputs. On by default wherever an
encoder fits; refused only when asked for without one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alstudio.errors import AlstudioError
from alstudio.learning.checkpoints import checkpoint_from_bytes
from alstudio.learning.feature_probe import probe_probabilities
from alstudio.learning.inference import predict
from alstudio.learning.pretrain import encoder_features
from alstudio.learning.training import TrainConfig
from alstudio.project import Project
from alstudio.workflow import RoundConfig, run_round
from alstudio.workflow.committee import score_cache
from alstudio.workflow.inputs import ProjectInputs
from alstudio.workflow.pretrain import run_pretrain, stored_encoder
from alstudio.workflow.round import RoundOutcome
from alstudio.workflow.round_encoder import PROBE_NOTE
from tests.workflow.test_round import label_queue_from_reference

QUICK = TrainConfig(max_epochs=2, min_steps=8, patience=2)
SIZE = 16


def _round(path: Path, batch: int, probe: bool = False) -> RoundOutcome:
    return run_round(path, RoundConfig(batch_size=batch, train=QUICK, threads=1,
                                       image_size=SIZE, device="cpu", feature_probe=probe))


def test_a_probed_round_blends_the_queue_and_keeps_the_checkpoint_its_own(
        demo_path: Path) -> None:
    with pytest.raises(AlstudioError, match=r"no pool encoder .* fit the feature probe"):
        _round(demo_path, 12, probe=True)
    run_pretrain(demo_path, epochs=1, threads=1, image_size=SIZE)
    cold = _round(demo_path, 16, probe=True)
    assert cold.round.params["feature_probe"] is False  # no classifier yet: nothing to average
    label_queue_from_reference(demo_path, cold.round.id)
    probed = _round(demo_path, 5, probe=True)
    assert probed.round.params["feature_probe"] is True
    assert probed.metrics["feature_probe"] is True and PROBE_NOTE in probed.explanation
    assert 0 <= probed.metrics["test"]["balanced_accuracy"] <= 1
    own_test = probed.metrics["classifier_test"]  # the checkpoint alone, kept beside the blend
    assert own_test["n"] == probed.metrics["test"]["n"] == 155
    with Project.open(demo_path) as project:
        blob = project.checkpoint(probed.round.checkpoint_id)
        model, meta = checkpoint_from_bytes(blob.weights)
        assert meta["metrics"]["test"] == own_test and "training" in meta["metrics"]
        found = stored_encoder(project, SIZE, 1)
        assert found is not None
        names = project.class_names()
        reference = project.reference_labels("pool")
        labels = {e.item_id: reference[e.item_id]
                  for e in project.queue(cold.round.id)}
        pool = project.item_ids("pool")
        inputs = ProjectInputs(project, SIZE)
        queue_ids = [e.item_id for e in probed.queue]
        own = predict(model, np.asarray(inputs.view(queue_ids))).probs
        labeled = sorted(i for i in pool if i in labels)
        probe = probe_probabilities(encoder_features(found[1], inputs.view(labeled)),
                                    np.array([labels[i] for i in labeled]),
                                    encoder_features(found[1], inputs.view(queue_ids)),
                                    len(names), seed=0)
        cached = score_cache(project).lookup(blob.digest, pool)
        assert blob.metrics == own_test  # an exported checkpoint states its own figures
        inputs.close()
    np.testing.assert_allclose([e.probs for e in probed.queue], (own + probe) / 2, atol=1e-4)
    assert cached is not None  # the checkpoint's own outputs, not the blend
    rows = {item: n for n, item in enumerate(pool)}
    np.testing.assert_allclose(cached.probs[[rows[i] for i in queue_ids]], own, atol=1e-4)


def test_cli_round_probe_needs_an_encoder(demo_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "alstudio", "round", str(demo_path),
                           "--batch", "5", "--probe"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1 and "alstudio pretrain" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_probe_is_off_unless_asked_for(demo_path: Path) -> None:
    """Opt-in: measured, it cost RetinaMNIST's rare grade, so an encoder alone does not
    turn it on."""
    cold = _round(demo_path, 16)
    label_queue_from_reference(demo_path, cold.round.id)
    plain = _round(demo_path, 5)
    assert plain.round.params["feature_probe"] is False and PROBE_NOTE not in plain.explanation
    assert "feature_probe" not in plain.metrics
    run_pretrain(demo_path, epochs=1, threads=1, image_size=SIZE)
    off = _round(demo_path, 5)  # an encoder that fits, and still the classifier alone
    assert off.round.params["feature_probe"] is False and PROBE_NOTE not in off.explanation
