"""Getting labeled images into batches: validation, stratified splits, seeded batch order.

Inputs may be ``np.memmap`` views of a scan cache far larger than memory, so nothing here
copies ``x`` as a whole: every batch is read by index (sorted, so a memmap reads forward).
All randomness comes from a ``numpy.random.Generator`` the caller seeds, which is what makes
a training run repeatable bit for bit on the CPU.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from alstudio.errors import AlstudioError


def check_inputs(x: np.ndarray, y: np.ndarray | None = None,
                 num_classes: int | None = None) -> None:
    """Fail early, in words, on arrays the models cannot take."""
    if getattr(x, "ndim", 0) != 4:
        raise AlstudioError(f"Model inputs must be (N, C, S, S) image arrays, got shape "
                            f"{getattr(x, 'shape', None)}.",
                            "Add a channel axis to greyscale images (x[:, None]).")
    if y is None:
        return
    if len(y) != len(x):
        raise AlstudioError(f"{len(x)} images but {len(y)} labels.",
                            "Pass one label per image.")
    if num_classes is not None and len(y):
        low, high = int(np.min(y)), int(np.max(y))
        if low < 0 or high >= num_classes:
            raise AlstudioError(f"Labels must lie in 0..{num_classes - 1}, found {low}..{high}.",
                                "Map class names to indices before training.")


def load_batch(x: np.ndarray, index: np.ndarray | slice, device: torch.device) -> torch.Tensor:
    """Read one batch (by sorted index array or slice) as float32 on ``device``."""
    if isinstance(index, np.ndarray):
        order = np.argsort(index, kind="stable")
        chunk = np.asarray(x[index[order]], dtype=np.float32)
        inverse = np.empty_like(order)
        inverse[order] = np.arange(order.size)
        chunk = chunk[inverse]
    else:
        # A slice of a (read-only) memmap is a view: copy it, torch wants writable memory.
        chunk = np.array(x[index], dtype=np.float32, copy=True)
    tensor = torch.from_numpy(np.ascontiguousarray(chunk))
    if device.type == "cuda":
        return tensor.pin_memory().to(device, non_blocking=True)
    return tensor.to(device)


def stratified_split(y: np.ndarray, val_fraction: float, rng: np.random.Generator,
                     min_per_class: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Hold back about ``val_fraction`` of each class (at least one item of each).

    Returns ``(train_index, val_index)``; ``val_index`` is empty when some present class has
    fewer than ``min_per_class`` items, since then it could not appear on both sides.
    """
    y = np.asarray(y)
    train_parts, val_parts = [], []
    for cls in np.unique(y):
        members = np.flatnonzero(y == cls)
        if members.size < min_per_class:
            return np.arange(y.size), np.empty(0, dtype=np.int64)
        members = rng.permutation(members)
        n_val = min(members.size - 1, max(1, round(val_fraction * members.size)))
        val_parts.append(members[:n_val])
        train_parts.append(members[n_val:])
    return np.sort(np.concatenate(train_parts)), np.sort(np.concatenate(val_parts))


def class_weights(y: np.ndarray, num_classes: int) -> np.ndarray:
    """Inverse-frequency weights, mean 1 over the present classes, 0 for absent ones.

    With 27% malignant scans an unweighted loss is lowest for "always benign"; weighting each
    class by ``n / (k * n_c)`` makes every present class count equally.
    """
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=num_classes).astype(np.float64)
    present = counts > 0
    weights = np.zeros(num_classes, dtype=np.float64)
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights.astype(np.float32)


def batch_stream(y_train: np.ndarray, batch_size: int, rng: np.random.Generator,
                 balanced: bool) -> Iterator[np.ndarray]:
    """Endless positions into the training set, ``batch_size`` at a time.

    Plain mode walks through fresh permutations and carries the remainder over, so every
    batch is full (batch norm misbehaves on a last batch of one) and every item is seen
    equally often. Balanced mode draws each class equally often, with replacement.
    """
    n = len(y_train)
    if balanced:
        counts = np.bincount(y_train)
        p = 1.0 / counts[y_train]
        p /= p.sum()
        while True:
            yield rng.choice(n, size=batch_size, replace=True, p=p)
    buffer = np.empty(0, dtype=np.int64)
    while True:
        while buffer.size < batch_size:
            buffer = np.concatenate([buffer, rng.permutation(n)])
        yield buffer[:batch_size]
        buffer = buffer[batch_size:]
