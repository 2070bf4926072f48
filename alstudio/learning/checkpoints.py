"""Checkpoints as safetensors bytes, never pickles.

A ``.pt`` file written by ``torch.save`` is a pickle, and unpickling runs whatever code the
file names. Projects get shared between colleagues, so a checkpoint must be inert data: the
weights go into safetensors, the architecture and hyper-parameters into its string metadata
(one JSON value per key), and loading rebuilds the network from the factory. Anything that is
not a well-formed safetensors blob is refused before any parser but our own header check sees
it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from safetensors.torch import save as st_save

from alstudio.errors import AlstudioError
from alstudio.learning.checkpoint_meta import architecture_fields, check_tensors
from alstudio.learning.models import Classifier, build_model, load_state_strict
from alstudio.learning.safe_weights import read_header, read_safetensors, refuse

__all__ = ["FORMAT_VERSION", "checkpoint_digest", "checkpoint_from_bytes",
           "checkpoint_to_bytes", "read_header", "read_safetensors"]

FORMAT_VERSION = 1
_ARCH_KEYS = ("architecture", "in_channels", "num_classes", "image_size", "dropout")


def checkpoint_to_bytes(model: Classifier, meta: dict[str, Any] | None = None) -> bytes:
    """Serialise weights plus architecture and ``meta`` (hyper-parameters, metrics).

    ``meta`` values must be JSON-serialisable; architecture keys come from the model itself
    and cannot be overridden, so a checkpoint always rebuilds the net that produced it.
    """
    metadata: dict[str, str] = {}
    for key, value in (meta or {}).items():
        if key in _ARCH_KEYS:
            continue
        try:
            metadata[str(key)] = json.dumps(value, allow_nan=True, default=_json_default)
        except (TypeError, ValueError) as exc:
            raise AlstudioError(f"Checkpoint metadata {key!r} cannot be stored as JSON.",
                                "Pass numbers, strings, lists or dicts.") from exc
    for key, value in model.architecture().items():
        metadata[key] = json.dumps(value)
    metadata["format_version"] = json.dumps(FORMAT_VERSION)
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    return st_save(state, metadata=metadata)


def _json_default(value: Any) -> Any:
    """Let numpy scalars and arrays through as plain numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def checkpoint_from_bytes(blob: bytes, source: str = "checkpoint"
                          ) -> tuple[Classifier, dict[str, Any]]:
    """Rebuild the model (on the CPU, in eval mode) and return it with its decoded metadata."""
    tensors, raw = read_safetensors(blob, source)
    try:
        meta = {k: json.loads(v) for k, v in raw.items()}
    except (json.JSONDecodeError, RecursionError) as exc:
        raise refuse(source, "its metadata is not alstudio's") from exc
    missing = [k for k in _ARCH_KEYS if k not in meta]
    if missing:
        raise refuse(source, f"it lacks the architecture fields {', '.join(missing)}")
    version = meta.get("format_version", 1)
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise AlstudioError(f"{source} was written by a newer alstudio.",
                            "Update alstudio to open it.")
    # schema and tensor shapes first: nothing is allocated for a checkpoint that lies
    fields = architecture_fields(meta, source)
    check_tensors(fields, tensors, source)
    model = build_model(fields["architecture"], fields["in_channels"], fields["num_classes"],
                        fields["image_size"], dropout=fields["dropout"])
    load_state_strict(model, tensors, source)
    model.eval()
    return model, meta


def checkpoint_digest(blob: bytes) -> str:
    """sha256 hex digest: the identity of a checkpoint, e.g. for the output cache."""
    return hashlib.sha256(bytes(blob)).hexdigest()
