"""Reading safetensors bytes, refusing anything else (pickles above all) before parsing.

Both the model factory (warm-start weights from a file) and the project's checkpoints read
weights this way; this module imports neither, so they need not import each other.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import torch
from safetensors.torch import load as st_load

from alstudio.errors import AlstudioError

_MAX_HEADER = 100 * 2**20  # safetensors' own limit on the JSON header

_PICKLE_REFUSAL = ("this checkpoint is not in safetensors format; alstudio never loads pickled "
                   "weights because they can run code")


def refuse(source: str, why: str) -> AlstudioError:
    """The error for bytes that are not inert safetensors weights."""
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
        raise refuse(source, _PICKLE_REFUSAL)
    # The framing itself is the test: the first 8 bytes are a little-endian header length
    # (its low byte may well be 0x80, so a leading pickle opcode proves nothing) and the JSON
    # header must start right after. Pickles (b"\x80\x04..." gives a length of petabytes) and
    # torch.save zips (b"PK\x03\x04...") fail it.
    (length,) = struct.unpack("<Q", blob[:8])
    if length > _MAX_HEADER or 8 + length > len(blob) or blob[8:9] != b"{":
        raise refuse(source, _PICKLE_REFUSAL)
    try:
        header = json.loads(blob[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise refuse(source, "the safetensors header is damaged") from exc
    if not isinstance(header, dict):
        raise refuse(source, "the safetensors header is damaged")
    return header


def read_safetensors(blob: bytes, source: str = "checkpoint"
                     ) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors and raw string metadata of a safetensors blob (after :func:`read_header`)."""
    header = read_header(blob, source)
    metadata = header.get("__metadata__") or {}
    try:
        tensors = st_load(bytes(blob))
    except Exception as exc:  # safetensors raises its own error types for damaged data
        raise refuse(source, f"the safetensors data is damaged ({exc})") from exc
    return tensors, {str(k): str(v) for k, v in metadata.items()}
