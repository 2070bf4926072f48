"""A read-only, array-like view of chosen rows of a memory-mapped array.

Training and scoring read a pool of model inputs batch by batch. The pool's rows sit in the
on-disk cache in import order, not in the order a round needs, and fancy-indexing a memmap
copies everything into memory at once. A :class:`RowView` looks like an ``(n, ...)`` array to
the readers (``shape``, ``ndim``, ``dtype``, ``len`` and indexing by int, slice or index
array) but only ever copies the rows of the batch being read.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class RowView:
    def __init__(self, data: np.ndarray, rows: np.ndarray) -> None:
        self._data = data
        self._rows = np.asarray(rows, dtype=np.int64)
        if self._rows.size and (self._rows.min() < 0 or self._rows.max() >= data.shape[0]):
            raise IndexError("row index outside the cached array")

    @property
    def shape(self) -> tuple[int, ...]:
        return (int(self._rows.size), *self._data.shape[1:])

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._data.dtype

    def __len__(self) -> int:
        return int(self._rows.size)

    def __getitem__(self, index: Any) -> np.ndarray:
        if isinstance(index, tuple):
            raise TypeError("RowView is indexed by rows only: an int, a slice or an index array")
        rows = self._rows[index]
        if np.ndim(rows) == 0:
            return np.array(self._data[int(rows)])
        # Reading in ascending row order keeps the memmap access sequential.
        order = np.argsort(rows, kind="stable")
        out = np.empty((rows.size, *self._data.shape[1:]), dtype=self._data.dtype)
        out[order] = self._data[rows[order]]
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """Materialise every row (only for small views; readers index batches instead)."""
        out = self[np.arange(len(self))]
        return out.astype(dtype) if dtype is not None else out
