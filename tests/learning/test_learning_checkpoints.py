"""Checkpoints round-trip through safetensors and pickles are refused without being run."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from alstudio.errors import AlstudioError
from alstudio.learning.checkpoints import (
    checkpoint_digest,
    checkpoint_from_bytes,
    checkpoint_to_bytes,
)
from alstudio.learning.inference import predict
from alstudio.learning.models import build_model
from alstudio.learning.training import TrainConfig, train_model


class Booby:
    """Unpickling this creates ``marker``: proof that a loader executed the payload."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("name", ["small_cnn", "resnet18"])
def test_round_trip_gives_identical_predictions(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, 1, 3, 28, dropout=0.25)
    with torch.no_grad():  # make batch-norm statistics non-trivial
        model.train()(torch.rand(8, 1, 28, 28))
    meta = {"lr": 0.002, "metrics": {"auc": 0.91, "balanced_accuracy": float("nan")},
            "classes": ["benign", "malignant", "normal"], "architecture": "ignored"}
    blob = checkpoint_to_bytes(model, meta)
    loaded, read = checkpoint_from_bytes(blob)
    assert read["architecture"] == name and read["num_classes"] == 3
    assert read["image_size"] == 28 and read["in_channels"] == 1 and read["dropout"] == 0.25
    assert read["lr"] == 0.002 and read["classes"] == meta["classes"]
    assert read["metrics"]["auc"] == 0.91 and np.isnan(read["metrics"]["balanced_accuracy"])
    x = np.random.default_rng(0).random((6, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(predict(model, x).probs, predict(loaded, x).probs)


def test_digest_is_sha256_of_the_bytes() -> None:
    blob = checkpoint_to_bytes(build_model("small_cnn", 1, 2, 28), {})
    assert checkpoint_digest(blob) == checkpoint_digest(bytes(blob))
    assert len(checkpoint_digest(blob)) == 64
    assert checkpoint_digest(blob) != checkpoint_digest(blob + b" ")


def test_pickle_payload_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    blob = pickle.dumps(Booby(marker))
    with pytest.raises(AlstudioError, match=r"not in safetensors format.*can run code"):
        checkpoint_from_bytes(blob)
    assert not marker.exists()
    # Sanity: the payload does execute when unpickled, so the check above means something.
    pickle.loads(blob).close()
    assert marker.exists()


def test_torch_save_output_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    buffer = io.BytesIO()
    torch.save({"weights": torch.zeros(2), "payload": Booby(marker)}, buffer)
    blob = buffer.getvalue()
    assert blob[:2] == b"PK"
    with pytest.raises(AlstudioError, match="not in safetensors format"):
        checkpoint_from_bytes(blob)
    assert not marker.exists()


def test_old_pickle_protocols_and_garbage_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for blob in (pickle.dumps(Booby(marker), protocol=0), b"", b"not a checkpoint at all",
                 b"\x10\x00\x00\x00\x00\x00\x00\x00{broken json}..."):
        with pytest.raises(AlstudioError):
            checkpoint_from_bytes(blob)
    assert not marker.exists()


def test_safetensors_without_alstudio_metadata_is_refused() -> None:
    from safetensors.torch import save

    blob = save({"w": torch.zeros(2)})
    with pytest.raises(AlstudioError, match="lacks the architecture"):
        checkpoint_from_bytes(blob)


def test_trained_model_round_trips(images: Callable[..., tuple[np.ndarray, np.ndarray]],
                                   config: Callable[..., TrainConfig]) -> None:
    x, y = images(40)
    result = train_model(x, y, 2, config())
    blob = checkpoint_to_bytes(result.model, result.summary())
    loaded, meta = checkpoint_from_bytes(blob)
    assert meta["n_train"] == result.n_train and meta["config"]["model"] == "small_cnn"
    np.testing.assert_array_equal(predict(result.model, x, mc_passes=2).committee,
                                  predict(loaded, x, mc_passes=2).committee)
