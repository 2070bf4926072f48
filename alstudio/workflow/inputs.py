"""The model inputs of a project's items, decoded once and read from the on-disk cache."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import cast

import numpy as np

from alstudio.datasets.input_cache import ModelInputCache
from alstudio.datasets.item_source import source_for
from alstudio.datasets.row_view import RowView
from alstudio.jobs import CancelToken, ProgressCallback
from alstudio.project import Item, Project

#: Largest input side per device kind; the native size is used when it is smaller.
MAX_INPUT_SIDE = {"cpu": 64, "mps": 128, "cuda": 128}
MIN_INPUT_SIDE = 16


def plane_side(item: Item) -> int:
    """The smaller in-plane side of an item's image (rows or columns)."""
    shape = item.shape[:-1] if item.shape and item.shape[-1] in (3, 4) and len(item.shape) >= 3 \
        else item.shape
    return int(min(shape[-2:])) if len(shape) >= 2 else int(shape[0])


def choose_input_size(items: Sequence[Item], device_kind: str) -> int:
    """The native size of the pool's images (median smaller side), capped by what the device
    can train quickly: tiny MedMNIST images stay 28 px, CT slices shrink to 64 px on a CPU."""
    if not items:
        return MAX_INPUT_SIDE["cpu"]
    native = int(statistics.median(plane_side(item) for item in items))
    return max(MIN_INPUT_SIDE, min(native, MAX_INPUT_SIDE.get(device_kind, 64)))


def is_colour(item: Item) -> bool:
    """True for a colour picture (rows x columns x 3 or 4), not a volume."""
    return len(item.shape) == 3 and item.shape[-1] in (3, 4)


def choose_channels(items: Sequence[Item]) -> int:
    """3 when most of the pool is colour (fundus, dermatology, pathology), else 1: the models
    see one channel count per project, and the minority kind is converted to it."""
    colour = sum(1 for item in items if is_colour(item))
    return 3 if items and colour * 2 > len(items) else 1


class ProjectInputs:
    """Model inputs of items, by id, from ``<project>.alstudio-cache/inputs``."""

    def __init__(self, project: Project, size: int, channels: int = 1) -> None:
        self.size = size
        self.channels = channels
        self.cache = ModelInputCache(project.cache_dir / "inputs", size, channels=channels)

    def ensure(self, items: Sequence[Item], progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> dict[int, str]:
        """Decode what is not cached yet; returns ``{item_id: reason}`` for unreadable scans
        (moved or damaged since import). Those items sit out the round."""
        by_id = {item.id: item for item in items}
        return self.cache.ensure(by_id, lambda item_id: source_for(by_id[item_id]),
                                 progress=progress, cancel=cancel)

    def view(self, item_ids: Sequence[int]) -> RowView:
        """The cached inputs of these items, in this order, read one batch at a time."""
        return self.cache.view(item_ids)

    def images(self, item_ids: Sequence[int]) -> np.ndarray:
        """:meth:`view` typed as what the engine takes: a row view reads like an array."""
        return cast(np.ndarray, self.view(item_ids))

    def close(self) -> None:
        self.cache.close()
