"""Which accelerator to train on, and how to name it to the user.

Radiologists run alstudio on whatever they have: a workstation with an NVIDIA card, a MacBook,
or a hospital laptop with two cores. "auto" takes the fastest one present; an explicit choice
that cannot be honoured fails loudly instead of silently running ten times slower.
"""

from __future__ import annotations

import torch

from alstudio.errors import AlstudioError

DEVICE_CHOICES: tuple[str, ...] = ("auto", "cuda", "mps", "cpu")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(preference: str = "auto") -> torch.device:
    """CUDA, then Apple MPS, then CPU for ``"auto"``; otherwise exactly what was asked for.

    ``"cuda:1"`` picks a specific card.
    """
    choice = (preference or "auto").strip().lower()
    if choice == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if choice == "cpu":
        return torch.device("cpu")
    if choice.startswith("cuda"):
        if not torch.cuda.is_available():
            raise AlstudioError("CUDA was requested but no NVIDIA GPU is visible;",
                                "choose --device cpu (or auto).")
        device = torch.device(choice)
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise AlstudioError(f"GPU {device.index} was requested but only "
                                f"{torch.cuda.device_count()} NVIDIA GPU(s) are visible;",
                                "choose --device cuda:0 or --device auto.")
        return device
    if choice == "mps":
        if not _mps_available():
            raise AlstudioError("Apple MPS was requested but this machine has no usable "
                                "Apple GPU;", "choose --device cpu (or auto).")
        return torch.device("mps")
    raise AlstudioError(f"Unknown device {preference!r}.",
                        f"Choose one of: {', '.join(DEVICE_CHOICES)}.")


def describe_device(device: torch.device | str) -> str:
    """A one-line name for status bars and logs: "NVIDIA RTX 4090 (24 GB)", "CPU, 2 threads"."""
    dev = torch.device(device)
    if dev.type == "cuda":
        props = torch.cuda.get_device_properties(dev)
        return f"{props.name} ({props.total_memory / 2**30:.0f} GB)"
    if dev.type == "mps":
        return "Apple GPU (MPS)"
    threads = torch.get_num_threads()
    return f"CPU, {threads} thread{'s' if threads != 1 else ''}"
