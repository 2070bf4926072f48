"""The ``model`` format: the latest checkpoint as ``model.safetensors`` plus ``model_card.json``
and a README showing how to load it.

The weights are the project's own safetensors bytes, written unchanged (nothing is
re-serialised, so the digest in the card is the project's). The card is read from the
safetensors header and the rounds; no torch is needed to write it.
"""

from __future__ import annotations

import json
import struct
from typing import Any

from alstudio import __version__
from alstudio.errors import AlstudioError
from alstudio.export.common import FormatResult
from alstudio.export.writer import ExportWriter
from alstudio.project import Project

NORMALISATION = (
    "central slice of a volume; colour to luminance (BT.601); the 0.5 and 99.5 percentiles "
    "map to 0 and 1, clipped; padded to a square with 0, centred; resized to input_size x "
    "input_size with Pillow's antialiasing bilinear filter; one channel, float32 in [0, 1]")

_SNIPPET = """# {name}: the model of round {round}

`model.safetensors` holds the weights (safetensors: no code runs when loading them);
`model_card.json` the architecture, classes, input size, normalisation, test metrics and the
strategy history.

```python
import json
from safetensors.torch import load_file
from alstudio.learning.models import build_model

card = json.load(open("model_card.json"))
arch = card["architecture"]
model = build_model(arch["name"], arch["in_channels"], arch["num_classes"],
                    arch["image_size"], dropout=arch["dropout"])   # a MONAI backbone
model.load_state_dict(load_file("model.safetensors"))
model.eval()
# input: (batch, 1, {size}, {size}) float32 in [0, 1], prepared as card["normalisation"] says
```

For architectures built from MONAI networks (`resnet18`, `resnet34`, `densenet121`,
`efficientnet-b0`) the tensors named `backbone.*` are the MONAI network's own state dict
(its stem sized for `image_size` as `alstudio.learning.models.stem_plan` says), and
`head.weight` / `head.bias` the final linear layer on its features.
"""


def safetensors_metadata(blob: bytes) -> dict[str, Any]:
    """The JSON-decoded ``__metadata__`` of a safetensors blob (header read without torch)."""
    if len(blob) < 10:
        raise AlstudioError("The stored checkpoint is damaged.", "Run a new round.")
    (length,) = struct.unpack("<Q", blob[:8])
    if 8 + length > len(blob):
        raise AlstudioError("The stored checkpoint is damaged.", "Run a new round.")
    header = json.loads(blob[8:8 + length].decode("utf-8"))
    raw = header.get("__metadata__") or {}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            out[key] = json.loads(value)
        except (TypeError, json.JSONDecodeError):
            out[key] = value
    return out


def trained_on(number: int, labels: int, metrics: dict[str, Any]) -> dict[str, Any]:
    """The card's account of the training labels: the round, how many, and how many per
    class (agreed labels by consensus class, as the round recorded them when it trained)."""
    out: dict[str, Any] = {"round": number, "labels": labels,
                           "labels_per_class": metrics.get("labels_per_class")}
    if out["labels_per_class"] is None:
        out["labels_per_class_note"] = ("not recorded: the round was made by an alstudio "
                                        "that did not count labels per class")
    return out


def export_model(project: Project, writer: ExportWriter) -> FormatResult:
    """Write the checkpoint of the latest round that trained a model, with its card."""
    rounds = [r for r in project.rounds() if r.checkpoint_id is not None]
    if not rounds:
        raise AlstudioError("This project has no trained model yet.",
                            "Run a round with at least 20 labels (`alstudio round`).")
    latest = rounds[-1]
    assert latest.checkpoint_id is not None
    blob = project.checkpoint(latest.checkpoint_id)
    meta = safetensors_metadata(blob.weights)
    hyper = meta.get("hyperparameters") or blob.hyperparameters
    size = int(meta.get("image_size", 0))
    card = {
        "card_version": 1, "alstudio_version": __version__, "project": project.name,
        "architecture": {"name": meta.get("architecture", blob.architecture),
                         "in_channels": meta.get("in_channels"),
                         "num_classes": meta.get("num_classes"), "image_size": size,
                         "dropout": meta.get("dropout")},
        "classes": meta.get("classes") or project.class_names(),
        "input": {"shape": [meta.get("in_channels"), size, size], "dtype": "float32",
                  "range": [0.0, 1.0]},
        "normalisation": NORMALISATION, "hyperparameters": hyper,
        "trained_on": trained_on(latest.number, latest.labels_used, latest.metrics),
        "test_metrics": latest.metrics.get("test"),
        "strategy_history": [
            {"round": r.number, "strategy": r.strategy, "labels": r.labels_used,
             "balanced_accuracy": (r.metrics.get("test") or {}).get("balanced_accuracy"),
             "auc": (r.metrics.get("test") or {}).get("auc"), "finished_at": r.finished_at}
            for r in project.rounds()],
        "checkpoint_sha256": blob.digest,
    }
    writer.write_bytes("model.safetensors", blob.weights)
    writer.write_json("model_card.json", card)
    writer.write_text("README.md", _SNIPPET.format(name=project.name, round=latest.number,
                                                   size=size))
    return FormatResult(written_items=1, extra={"round": latest.number})
