"""Checkpoint metadata is checked against a schema and the stored tensors before a model is
built; a bad checkpoint is left out of a committee with its reason."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from alstudio.learning.checkpoint_meta import CheckpointRejected
from alstudio.learning.checkpoints import checkpoint_from_bytes, checkpoint_to_bytes
from alstudio.learning.models import build_model
from alstudio.project import Project
from alstudio.workflow.committee import past_models


@pytest.fixture(scope="module")
def good_blob() -> bytes:
    return checkpoint_to_bytes(build_model("small_cnn", 1, 2, 28), {"lr": 0.001})


def tampered(blob: bytes, **changes: object) -> bytes:
    """The same tensors with some metadata fields replaced (JSON-encoded as alstudio does)."""
    from alstudio.learning.checkpoints import read_safetensors

    _, raw = read_safetensors(blob)
    raw.update({k: json.dumps(v) for k, v in changes.items()})
    return st_save(st_load(blob), metadata=raw)


@pytest.mark.parametrize("changes, reason", [
    ({"dropout": "abc"}, "dropout is 'abc'"),
    ({"dropout": 1.5}, "dropout is 1.5"),
    ({"in_channels": [1]}, "in_channels is [1]"),
    ({"in_channels": True}, "in_channels is True"),
    ({"num_classes": 200_000_000}, "num_classes 200000000 is outside"),
    ({"num_classes": 2e8}, "num_classes is 200000000.0, not a whole number"),
    ({"num_classes": 50_000}, "head weight (2, 128) does not match num_classes 50000"),
    ({"image_size": 64}, "shapes differ"),
    ({"architecture": "resnet18"}, "missing"),
    ({"architecture": "os.system"}, "architecture 'os.system' is not one of"),
])
def test_lying_metadata_is_rejected_before_anything_is_built(good_blob: bytes, changes: dict,
                                                             reason: str) -> None:
    with pytest.raises(CheckpointRejected, match="cannot be used") as info:
        checkpoint_from_bytes(tampered(good_blob, **changes), "checkpoint 7")
    assert reason in info.value.reason


@pytest.mark.parametrize("num_classes", [2_000_000, 50_000])
def test_a_huge_head_is_refused_in_milliseconds(good_blob: bytes, num_classes: int) -> None:
    blob = tampered(good_blob, num_classes=num_classes)
    started = time.perf_counter()
    with pytest.raises(CheckpointRejected):
        checkpoint_from_bytes(blob)
    assert time.perf_counter() - started < 0.5  # nothing of the claimed size was allocated


def test_good_checkpoint_still_loads(good_blob: bytes) -> None:
    model, meta = checkpoint_from_bytes(good_blob)
    assert model.num_classes == 2 and meta["lr"] == 0.001


def test_bad_checkpoint_is_left_out_of_a_committee_with_its_reason(
        tmp_path: Path, good_blob: bytes, caplog: pytest.LogCaptureFixture) -> None:
    with Project.create(tmp_path / "p.alstudio", ["a", "b"]) as project:
        for blob in (good_blob, tampered(good_blob, dropout="abc"),
                     tampered(good_blob, num_classes=200_000_000)):
            project.save_round(strategy="random", params={}, seed=0, labels_used=0,
                               metrics={}, queue=[], started_at="2026-01-01T00:00:00Z",
                               checkpoint={"architecture": "small_cnn", "digest": "d",
                                           "weights": blob})
        with caplog.at_level(logging.WARNING):
            models = past_models(project, limit=4, image_size=28, in_channels=1,
                                 num_classes=2)
    assert len(models) == 1
    left_out = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert len(left_out) == 2 and any("dropout is 'abc'" in m for m in left_out)
