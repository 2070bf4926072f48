"""Checkpoint metadata checked against a schema and against the stored tensors, before any
model is built.

A checkpoint comes from a project file that may have been damaged or written by someone else.
Its metadata decides what gets allocated: ``num_classes = 2e8`` would ask for a 100 GB head.
So every architecture field is checked for type and range first, then the network is built on
PyTorch's ``meta`` device (shapes only, no memory) and every stored tensor's name and shape is
compared with it. Only a checkpoint that passes both is built for real.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from alstudio.errors import AlstudioError
from alstudio.learning.models import MODEL_NAMES, build_model

# architecture field -> (type, low, high); bounds are far beyond any model we train
_INT_FIELDS = {"in_channels": (1, 64), "num_classes": (2, 100_000), "image_size": (8, 4096)}
_MAX_REPORTED = 3


class CheckpointRejected(AlstudioError):
    """A checkpoint whose metadata or tensors do not describe a model alstudio can build."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source} cannot be used: {reason}.",
                         "It is left out; the next round trains a fresh model.")


def _int_field(source: str, meta: Mapping[str, Any], key: str) -> int:
    value = meta.get(key)
    low, high = _INT_FIELDS[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise CheckpointRejected(source, f"its {key} is {value!r}, not a whole number")
    if not low <= value <= high:
        raise CheckpointRejected(source, f"its {key} {value} is outside {low}..{high}")
    return value


def architecture_fields(meta: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The architecture fields, each of the right type and in range; raises otherwise."""
    name = meta.get("architecture")
    if not isinstance(name, str) or name not in MODEL_NAMES:
        raise CheckpointRejected(source, f"its architecture {name!r} is not one of "
                                 f"{', '.join(MODEL_NAMES)}")
    fields: dict[str, Any] = {"architecture": name}
    for key in _INT_FIELDS:
        fields[key] = _int_field(source, meta, key)
    dropout = meta.get("dropout")
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) \
            or not 0.0 <= float(dropout) < 1.0:
        raise CheckpointRejected(source, f"its dropout is {dropout!r}, not a number in [0, 1)")
    fields["dropout"] = float(dropout)
    return fields


def check_tensors(fields: Mapping[str, Any], tensors: Mapping[str, torch.Tensor],
                  source: str) -> None:
    """Compare every stored tensor with the network the fields describe, built on the meta
    device (no memory is allocated for its weights)."""
    head = tensors.get("head.weight")
    if head is None or head.ndim != 2 or int(head.shape[0]) != fields["num_classes"]:
        shape = None if head is None else tuple(head.shape)
        raise CheckpointRejected(source, f"its head weight {shape} does not match "
                                 f"num_classes {fields['num_classes']}")
    try:
        with torch.device("meta"):
            skeleton = build_model(fields["architecture"], fields["in_channels"],
                                   fields["num_classes"], fields["image_size"],
                                   dropout=fields["dropout"])
    except AlstudioError as exc:
        raise CheckpointRejected(source, exc.message) from exc
    expected = {k: tuple(v.shape) for k, v in skeleton.state_dict().items()}
    stored = {k: tuple(v.shape) for k, v in tensors.items()}
    missing = sorted(set(expected) - set(stored))
    extra = sorted(set(stored) - set(expected))
    wrong = sorted(k for k in set(expected) & set(stored) if expected[k] != stored[k])
    problems = []
    if missing:
        problems.append(f"{len(missing)} tensor(s) missing ({', '.join(missing[:_MAX_REPORTED])})")
    if extra:
        problems.append(f"{len(extra)} unexpected tensor(s) ({', '.join(extra[:_MAX_REPORTED])})")
    if wrong:
        problems.append("shapes differ for " + ", ".join(
            f"{k} {stored[k]} vs {expected[k]}" for k in wrong[:_MAX_REPORTED]))
    if problems:
        raise CheckpointRejected(source, "; ".join(problems))
