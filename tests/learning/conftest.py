"""Small synthetic data sets and fast training configs for the learning tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from alstudio.learning.training import TrainConfig


def separable_images(n: int = 48, size: int = 28, classes: int = 2, seed: int = 0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Noisy images whose class is a bright horizontal band at a class-specific height."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    rng.shuffle(y)
    x = rng.normal(0.3, 0.08, size=(n, 1, size, size)).astype(np.float32)
    band = size // classes
    for i, label in enumerate(y):
        x[i, 0, label * band:(label + 1) * band] += 0.5
    return np.clip(x, 0.0, 1.0), y.astype(np.int64)


def fast_config(**changes: object) -> TrainConfig:
    """A few dozen steps of small_cnn on one CPU thread (no contention with other tests)."""
    base = {"model": "small_cnn", "max_epochs": 4, "min_steps": 24, "batch_size": 16,
            "device": "cpu", "patience": 2, "min_val_items": 30, "num_threads": 1}
    base.update(changes)
    return TrainConfig(**base)  # type: ignore[arg-type]


@pytest.fixture
def images() -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """``images(n, size, classes, seed)``: a separable synthetic set."""
    return separable_images


@pytest.fixture
def config() -> Callable[..., TrainConfig]:
    """``config(**changes)``: the fast CPU training config."""
    return fast_config


@pytest.fixture(scope="session")
def breastmnist(shared_data: Path) -> dict[str, np.ndarray]:
    """BreastMNIST scaled to [0, 1] with a channel axis: train/val/test x and y."""
    path = shared_data / "breastmnist" / "breastmnist.npz"
    if not path.is_file():
        pytest.skip(f"BreastMNIST not found at {path}")
    raw = np.load(path)
    out = {}
    for split in ("train", "val", "test"):
        out[f"{split}_x"] = (raw[f"{split}_images"].astype(np.float32) / 255.0)[:, None]
        out[f"{split}_y"] = raw[f"{split}_labels"].astype(np.int64).ravel()
    return out
