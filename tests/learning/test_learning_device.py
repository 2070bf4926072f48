"""Device choice: auto falls back to the CPU; an impossible explicit choice says what to do."""

from __future__ import annotations

import pytest
import torch

from alstudio.errors import AlstudioError
from alstudio.learning.device import describe_device, pick_device


def test_cpu_is_always_available() -> None:
    assert pick_device("cpu") == torch.device("cpu")
    assert describe_device(torch.device("cpu")).startswith("CPU, ")
    assert "thread" in describe_device("cpu")


def test_auto_picks_the_fastest_present_device() -> None:
    device = pick_device("auto")
    if torch.cuda.is_available():
        assert device.type == "cuda"
    else:
        assert device.type in ("mps", "cpu")


def test_missing_cuda_is_a_clear_error() -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(AlstudioError, match="no NVIDIA GPU is visible; choose --device cpu"):
        pick_device("cuda")


def test_unknown_device_is_refused() -> None:
    with pytest.raises(AlstudioError, match="Unknown device"):
        pick_device("tpu")


@pytest.mark.gpu
def test_cuda_is_described_with_its_memory() -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    assert pick_device("cuda").type == "cuda"
    assert describe_device(torch.device("cuda")).endswith("GB)")
