"""Which accelerator to train on, and how to name it to the user.

Radiologists run alstudio on whatever they have: a workstation with an NVIDIA card, a MacBook,
or a hospital laptop with two cores. "auto" takes the fastest one present; an explicit choice
that cannot be honoured fails loudly instead of silently running ten times slower.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

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


def free_cpu_threads() -> int:
    """CPU threads a job can use without oversubscribing the machine: the cores that the
    1-minute load average says are not busy, at least one.

    Measured on a 2-core machine running other jobs: training the small CNN on 41 labels took
    341 s with 2 threads and 6 s with 1, because each thread spin-waits for the others at
    every operation while the cores are taken.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = cores or os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has no load average
        busy = 0.0
    return max(1, min(cores, cores - int(busy)))


@contextmanager
def cpu_threads(threads: int | None) -> Iterator[None]:
    """torch's intra-op threads set to ``threads`` for the block (None: unchanged)."""
    if not threads:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
