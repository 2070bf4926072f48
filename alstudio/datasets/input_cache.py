"""On-disk cache of model inputs, so a scan is decoded once per project, not once per round.

Two files per input size and channel count in the cache folder:

* ``inputs-<size>.npy`` (grey) or ``inputs-<size>-rgb.npy`` (colour): a memory-mapped float32
  array ``(capacity, channels, size, size)``; rows are read and written through the map, so
  the pool never has to fit in memory. Grey caches keep the name they always had, so a cache
  built before colour inputs existed stays valid and is not decoded again;
* ``inputs-<size>[-rgb].index.npy``: int64 item ids, ``ids[row]`` being the item stored in
  ``row``. Only rows listed here are valid.

Crash safety comes from ordering, not from locking: rows are written and flushed *before*
the index that mentions them is replaced, and the index is replaced atomically (written to
a temporary file, fsynced, then ``os.replace``). Growing writes a doubled copy to a
temporary file and swaps it in the same way. A kill at any moment leaves either the old or
the new index, both pointing only at rows already on disk; unindexed rows are simply
computed again. Writers take turns through a lock file in the cache folder (two rounds may
start at once); temporary files carry unique names, and a writer re-reads the index once it
holds the lock, so it never overwrites rows another process just added.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from alstudio.datasets.batch_inputs import model_inputs_of
from alstudio.datasets.process_lock import ProcessLock
from alstudio.datasets.records import ScanSource
from alstudio.datasets.row_view import RowView
from alstudio.errors import Cancelled, ScanReadError
from alstudio.jobs import CancelToken, ProgressCallback, check, report

logger = logging.getLogger(__name__)

PHASE = "preparing model inputs"
_COPY_ROWS = 1024  # rows copied at a time when growing
COMMIT_ROWS = 4096  # rows decoded between two index publications ...
COMMIT_SECONDS = 2.0  # ... or this long, whichever comes first


def _tmp_name(path: Path) -> Path:
    """A temporary name beside ``path`` that no other writer uses."""
    return path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")


def _atomic_save(path: Path, array: np.ndarray) -> None:
    """Write ``array`` to a temporary file, flush it to disk, then rename it over ``path``."""
    tmp = _tmp_name(path)
    with open(tmp, "wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows); the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ModelInputCache:
    """Model inputs ``(channels, size, size)`` by item id, memory-mapped on disk.

    ``ensure`` computes what is missing; ``get_many`` reads rows. Later rounds of active
    learning call ``ensure`` again and decode nothing.
    """

    def __init__(self, folder: Path | str, size: int, initial_capacity: int = 256,
                 commit_rows: int = COMMIT_ROWS, channels: int = 1) -> None:
        if size < 1 or initial_capacity < 1:
            raise ValueError("size and capacity must be positive")
        if channels not in (1, 3):
            raise ValueError("channels must be 1 (grey) or 3 (colour)")
        self.folder = Path(folder)
        self.size = size
        self.channels = channels
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"inputs-{size}" if channels == 1 else f"inputs-{size}-rgb"
        self.data_path = self.folder / f"{stem}.npy"
        self.index_path = self.folder / f"{stem}.index.npy"
        self._lock = threading.RLock()
        self._initial_capacity = initial_capacity
        self.commit_rows = max(1, commit_rows)
        self._rows: dict[int, int] = {}
        self._ids: list[int] = []
        self._data: np.memmap | None = None
        self.process_lock = ProcessLock(self.folder / f"inputs-{size}.lock")
        with self.process_lock:
            self._open()

    # -- opening and validation -------------------------------------------------------
    def _row_shape(self) -> tuple[int, int, int]:
        return (self.channels, self.size, self.size)

    def _open(self) -> None:
        """Map the data and read the index (the caller holds the process lock)."""
        for path in (self.data_path, self.index_path):  # left by a kill while growing/saving
            for stale in self.folder.glob(f"{path.name}*.tmp"):
                stale.unlink(missing_ok=True)
        data = self._open_data()
        ids = self._load_index() if data is not None else None
        if data is None or ids is None or len(ids) > data.shape[0]:
            if data is not None or self.index_path.exists():
                logger.info("model input cache %s unusable, starting afresh", self.data_path)
            self._data = None
            self.index_path.unlink(missing_ok=True)
            self._data = self._create(self.data_path, self._initial_capacity)
            self._ids, self._rows = [], {}
            return
        self._data = data
        self._ids = [int(i) for i in ids]
        self._rows = {item: row for row, item in enumerate(self._ids)}

    def _open_data(self) -> np.memmap | None:
        if not self.data_path.exists():
            return None
        try:
            data = np.lib.format.open_memmap(self.data_path, mode="r+")
        except (ValueError, OSError) as exc:
            logger.info("cannot open %s: %s", self.data_path, exc)
            return None
        if data.dtype != np.float32 or data.shape[1:] != self._row_shape():
            return None
        return data

    def _load_index(self) -> np.ndarray | None:
        if not self.index_path.exists():
            return np.zeros(0, dtype=np.int64)
        try:
            ids = np.load(self.index_path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            logger.info("cannot read %s: %s", self.index_path, exc)
            return None
        if ids.ndim != 1 or ids.dtype.kind not in "iu" or len(np.unique(ids)) != len(ids):
            return None
        out: np.ndarray = ids.astype(np.int64)
        return out

    def _create(self, path: Path, capacity: int) -> np.memmap:
        return np.lib.format.open_memmap(path, mode="w+", dtype=np.float32,
                                         shape=(capacity, *self._row_shape()))

    # -- queries ---------------------------------------------------------------------------
    @property
    def capacity(self) -> int:
        return 0 if self._data is None else int(self._data.shape[0])

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._rows

    def missing(self, item_ids: Iterable[int]) -> list[int]:
        """Ids (deduplicated, in order) that have no cached input yet."""
        with self._lock:
            return list(dict.fromkeys(int(i) for i in item_ids if int(i) not in self._rows))

    def get_many(self, item_ids: Iterable[int]) -> np.ndarray:
        """``(n, channels, size, size)`` float32 copy of the rows of ``item_ids``, in that order."""
        ids = [int(i) for i in item_ids]
        with self._lock:
            absent = [i for i in ids if i not in self._rows]
            if absent:
                raise KeyError(f"no cached model input for items {absent[:10]}"
                               f"{' ...' if len(absent) > 10 else ''}; call ensure() first")
            assert self._data is not None
            rows = np.fromiter((self._rows[i] for i in ids), dtype=np.int64, count=len(ids))
            return np.asarray(self._data[rows])

    def view(self, item_ids: Iterable[int]) -> RowView:
        """An array-like ``(n, channels, size, size)`` over the rows of ``item_ids`` that
        copies only the rows a reader asks for: how a round reads a pool too large for
        memory."""
        ids = [int(i) for i in item_ids]
        with self._lock:
            absent = [i for i in ids if i not in self._rows]
            if absent:
                raise KeyError(f"no cached model input for items {absent[:10]}; "
                               "call ensure() first")
            assert self._data is not None
            return RowView(self._data, np.fromiter((self._rows[i] for i in ids),
                                                   dtype=np.int64, count=len(ids)))

    def get(self, item_id: int) -> np.ndarray:
        """``(channels, size, size)`` for one item."""
        row: np.ndarray = self.get_many([item_id])[0]
        return row

    # -- filling ---------------------------------------------------------------------------
    def _grow(self, needed: int) -> None:
        assert self._data is not None
        capacity = self.capacity
        while capacity < needed:
            capacity *= 2
        tmp = _tmp_name(self.data_path)
        grown = self._create(tmp, capacity)
        count = len(self._ids)
        for start in range(0, count, _COPY_ROWS):
            stop = min(count, start + _COPY_ROWS)
            grown[start:stop] = self._data[start:stop]
        grown.flush()
        del grown
        self._data.flush()
        self._data = None
        os.replace(tmp, self.data_path)
        _fsync_dir(self.folder)
        self._data = np.lib.format.open_memmap(self.data_path, mode="r+")

    def _commit(self, new: list[tuple[int, np.ndarray]]) -> None:
        """Write rows, flush them, then atomically publish the index that lists them."""
        if not new:
            return
        first = len(self._ids)
        if first + len(new) > self.capacity:
            self._grow(first + len(new))
        assert self._data is not None
        for offset, (_, values) in enumerate(new):
            self._data[first + offset] = values
        self._data.flush()
        ids = self._ids + [item for item, _ in new]
        _atomic_save(self.index_path, np.asarray(ids, dtype=np.int64))
        self._ids = ids
        for offset, (item, _) in enumerate(new):
            self._rows[item] = first + offset

    def ensure(self, item_ids: Iterable[int], sources: Callable[[int], ScanSource],
               progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
               batch_size: int = 64) -> dict[int, str]:
        """Compute and store the inputs of ``item_ids`` that are not cached yet.

        ``sources(item_id)`` is called only for missing items. Each batch is committed
        before the next starts, so cancelling (or a crash) loses at most one batch.
        Returns ``{item_id: reason}`` for items whose scan could not be read; those stay
        missing and the rest are cached. One ``ensure`` at a time per cache; ``get_many``
        may run meanwhile from another thread.
        """
        with self.process_lock:
            with self._lock:  # another process may have added rows since we looked
                if self._data is not None:
                    self._data.flush()
                self._open()
            return self._ensure_locked(list(item_ids), sources, progress, cancel, batch_size)

    def _ensure_locked(self, item_ids: list[int], sources: Callable[[int], ScanSource],
                       progress: ProgressCallback | None, cancel: CancelToken | None,
                       batch_size: int) -> dict[int, str]:
        """:meth:`ensure` once the process lock is held.

        Decoded rows are published every ``commit_rows`` rows or ``COMMIT_SECONDS`` (each
        commit flushes the map and fsyncs the index, which at 64 rows per commit cost more
        than decoding 28-pixel images); a cancel publishes what is pending first.
        """
        todo = self.missing(item_ids)
        failures: dict[int, str] = {}
        pending: list[tuple[int, np.ndarray]] = []
        last_commit = time.monotonic()

        def publish() -> None:
            with self._lock:
                self._commit([(i, v) for i, v in pending if i not in self._rows])
            pending.clear()

        report(progress, PHASE, 0, len(todo))
        for start in range(0, len(todo), max(1, batch_size)):
            try:
                check(cancel)
            except Cancelled:
                publish()
                raise
            chunk = todo[start:start + batch_size]
            # decoding happens outside the lock: readers are never kept waiting
            decoded = model_inputs_of([sources(i) for i in chunk], self.size, self.channels)
            for item, values in zip(chunk, decoded, strict=True):
                if isinstance(values, ScanReadError):
                    failures[item] = values.reason
                    logger.info("no model input for item %s: %s", item, values)
                else:
                    pending.append((item, values))
            if len(pending) >= self.commit_rows or time.monotonic() - last_commit > COMMIT_SECONDS:
                publish()
                last_commit = time.monotonic()
            report(progress, PHASE, min(len(todo), start + batch_size), len(todo))
        publish()
        return failures

    def close(self) -> None:
        """Flush and release the memory map (the cache can be reopened later)."""
        with self._lock:
            if self._data is not None:
                self._data.flush()
                self._data = None

    def __enter__(self) -> ModelInputCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
