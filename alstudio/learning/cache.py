"""On-disk cache of model outputs, so each checkpoint scores each image set only once.

Scoring a pool with MC-dropout is the slowest step of a selection round after training, and
the same checkpoint is asked about the same pool again and again (strategy comparisons, the
GUI re-opening a project). Entries are keyed by the checkpoint's sha256 plus a caller-given id
of the input set, so a retrained model or a changed pool can never hit a stale entry.

Each entry is a folder of ``.npy`` files written with ``allow_pickle=False`` (plain arrays
only: a cache folder from elsewhere cannot run code). The folder is assembled under a
temporary name and renamed into place, which is atomic, so a crash or a concurrent reader
never sees half an entry.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Literal

import numpy as np

from alstudio.learning.inference import ModelOutputs

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
_FIELDS = ("probs", "embeddings", "committee")
_IDS = "ids.npy"


def cache_key(checkpoint_digest: str, input_set_id: str) -> str:
    """The cache key of one checkpoint (``checkpoint_digest``) over one image set."""
    return f"{checkpoint_digest}-{input_set_id}"


class OutputCache:
    """``ModelOutputs`` stored per key under ``folder``; ``mmap`` maps large arrays lazily."""

    def __init__(self, folder: Path | str, mmap: bool = False) -> None:
        self.folder = Path(folder)
        self.mmap = mmap

    def _entry(self, key: str) -> Path:
        # Keys become folder names: anything unusual (slashes, "..", very long) is hashed.
        name = key if _SAFE_KEY.match(key) and ".." not in key else (
            "h-" + hashlib.sha256(key.encode("utf-8")).hexdigest())
        return self.folder / name

    def get(self, key: str) -> ModelOutputs | None:
        """The stored outputs, or ``None`` when this key was never (completely) stored."""
        entry = self._entry(key)
        probs_file, embed_file = entry / "probs.npy", entry / "embeddings.npy"
        if not (probs_file.is_file() and embed_file.is_file()):
            return None
        mode: Literal["r"] | None = "r" if self.mmap else None
        try:
            probs = np.load(probs_file, allow_pickle=False, mmap_mode=mode)
            embeddings = np.load(embed_file, allow_pickle=False, mmap_mode=mode)
            committee_file = entry / "committee.npy"
            committee = (np.load(committee_file, allow_pickle=False, mmap_mode=mode)
                         if committee_file.is_file() else None)
        except (OSError, ValueError):
            return None  # damaged entry: recompute rather than fail a selection round
        return ModelOutputs(probs, embeddings, committee)

    def get_ids(self, key: str) -> np.ndarray | None:
        """The item ids stored beside an entry's rows (row order), or ``None`` if none were."""
        ids_file = self._entry(key) / _IDS
        try:
            return np.load(ids_file, allow_pickle=False) if ids_file.is_file() else None
        except (OSError, ValueError):
            return None

    def keys(self, prefix: str) -> list[str]:
        """Stored keys that start with ``prefix`` (only keys kept as plain folder names)."""
        if not self.folder.is_dir():
            return []
        return sorted(entry.name for entry in self.folder.iterdir()
                      if entry.is_dir() and entry.name.startswith(prefix)
                      and not entry.name.startswith("."))

    def put(self, key: str, outputs: ModelOutputs, ids: np.ndarray | None = None) -> None:
        """Store ``outputs`` under ``key`` atomically; an existing entry is replaced.

        ``ids`` (one per row, e.g. the project's item ids) let a later reader take the rows of
        a subset of the items without scoring them again.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        entry = self._entry(key)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder))
        try:
            arrays: list[tuple[str, np.ndarray]] = [
                (f"{name}.npy", np.asarray(getattr(outputs, name), dtype=np.float32))
                for name in _FIELDS if getattr(outputs, name) is not None]
            if ids is not None:
                arrays.append((_IDS, np.asarray(ids, dtype=np.int64)))
            for file_name, array in arrays:
                with open(staging / file_name, "wb") as handle:
                    np.save(handle, array, allow_pickle=False)
                    handle.flush()
                    os.fsync(handle.fileno())
            if entry.exists():
                # A rename cannot replace a non-empty folder: move the old one aside first.
                stale = Path(tempfile.mkdtemp(prefix=".old-", dir=self.folder))
                os.replace(entry, stale / "entry")
                shutil.rmtree(stale, ignore_errors=True)
            try:
                os.replace(staging, entry)
            except OSError:
                if not entry.is_dir():
                    raise
                shutil.rmtree(staging, ignore_errors=True)  # a concurrent put won the race
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def discard(self, key: str) -> None:
        """Forget one entry (e.g. when its checkpoint is deleted)."""
        shutil.rmtree(self._entry(key), ignore_errors=True)
