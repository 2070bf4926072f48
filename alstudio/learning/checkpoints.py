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
import struct
from typing import Any

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from alstudio.errors import AlstudioError
from alstudio.learning.checkpoint_meta import architecture_fields, check_tensors
from alstudio.learning.models import Classifier, build_model, load_state_strict

FORMAT_VERSION = 1
_ARCH_KEYS = ("architecture", "in_channels", "num_classes", "image_size", "dropout")
_MAX_HEADER = 100 * 2**20  # safetensors' own limit on the JSON header

_PICKLE_REFUSAL = ("this checkpoint is not in safetensors format; alstudio never loads pickled "
                   "weights because they can run code")


def _refuse(source: str, why: str) -> AlstudioError:
    return AlstudioError(f"{source}: {why}.",
                         "Re-export the weights with safetensors (safetensors.torch.save_file) "
                         "from a trusted copy.")


def read_header(blob: bytes, source: str = "checkpoint") -> dict[str, Any]:
    """Validate the safetensors framing and return its JSON header, refusing anything else.

    Pickles (a ``\\x80`` opcode, or protocol 0/1 text), ``torch.save`` zips (``PK``) and any
    other non-safetensors bytes are refused here, before safetensors or torch parse a byte.
    """
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise TypeError("checkpoint blobs are bytes")
    blob = bytes(blob)
    if len(blob) < 10:
        raise _refuse(source, _PICKLE_REFUSAL)
    # The framing itself is the test: the first 8 bytes are a little-endian header length
    # (its low byte may well be 0x80, so a leading pickle opcode proves nothing) and the JSON
    # header must start right after. Pickles (b"\x80\x04..." gives a length of petabytes) and
    # torch.save zips (b"PK\x03\x04...") fail it.
    (length,) = struct.unpack("<Q", blob[:8])
    if length > _MAX_HEADER or 8 + length > len(blob) or blob[8:9] != b"{":
        raise _refuse(source, _PICKLE_REFUSAL)
    try:
        header = json.loads(blob[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(source, "the safetensors header is damaged") from exc
    if not isinstance(header, dict):
        raise _refuse(source, "the safetensors header is damaged")
    return header


def read_safetensors(blob: bytes, source: str = "checkpoint"
                     ) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors and raw string metadata of a safetensors blob (after :func:`read_header`)."""
    header = read_header(blob, source)
    metadata = header.get("__metadata__") or {}
    try:
        tensors = st_load(bytes(blob))
    except Exception as exc:  # safetensors raises its own error types for damaged data
        raise _refuse(source, f"the safetensors data is damaged ({exc})") from exc
    return tensors, {str(k): str(v) for k, v in metadata.items()}


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
        raise _refuse(source, "its metadata is not alstudio's") from exc
    missing = [k for k in _ARCH_KEYS if k not in meta]
    if missing:
        raise _refuse(source, f"it lacks the architecture fields {', '.join(missing)}")
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
