"""ModelInputCache: fill once, reopen without decoding, survive a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from alstudio.datasets import ModelInputCache, ScanSource, model_input, read_pixels
from alstudio.errors import Cancelled
from alstudio.jobs import CancelToken

SIZE = 16


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A small MedMNIST-style archive: 200 train images, 20 test images."""
    rng = np.random.default_rng(7)
    path = tmp_path / "mini.npz"
    np.savez_compressed(path, train_images=rng.integers(0, 255, (200, 28, 28), dtype=np.uint8),
                        train_labels=rng.integers(0, 2, 200, dtype=np.uint8),
                        test_images=rng.integers(0, 255, (20, 28, 28), dtype=np.uint8),
                        test_labels=rng.integers(0, 2, 20, dtype=np.uint8))
    return path


class CountingSources:
    """Item id -> ScanSource, counting calls (each call means one decode)."""

    def __init__(self, archive: Path) -> None:
        self.archive = str(archive)
        self.calls: list[int] = []

    def __call__(self, item_id: int) -> ScanSource:
        self.calls.append(item_id)
        return ScanSource("npz", (self.archive,), member=f"train:{item_id}")


def _expected(archive: Path, item_id: int) -> np.ndarray:
    return model_input(read_pixels(ScanSource("npz", (str(archive),), f"train:{item_id}")), SIZE)


def test_fills_once_and_reopens_from_disk(tmp_path: Path, archive: Path) -> None:
    folder = tmp_path / "cache"
    sources = CountingSources(archive)
    cache = ModelInputCache(folder, SIZE, initial_capacity=4)  # grows several times
    assert cache.ensure(range(50), sources, batch_size=16) == {}
    assert sorted(sources.calls) == list(range(50))
    assert cache.capacity >= 50 and len(cache) == 50
    assert cache.ensure([3, 3, 10], sources) == {}  # nothing new: no decoding
    assert len(sources.calls) == 50
    rows = cache.get_many([7, 2, 49])
    assert rows.shape == (3, 1, SIZE, SIZE) and rows.dtype == np.float32
    for row, item in zip(rows, [7, 2, 49], strict=True):
        assert np.array_equal(row, _expected(archive, item))
    cache.close()

    reopened = ModelInputCache(folder, SIZE)
    fresh = CountingSources(archive)
    assert reopened.ensure(range(50), fresh) == {}
    assert fresh.calls == []  # later rounds never decode again
    assert np.array_equal(reopened.get(49), _expected(archive, 49))
    assert reopened.ensure(range(60), fresh) == {}
    assert sorted(fresh.calls) == list(range(50, 60))
    with pytest.raises(KeyError):
        reopened.get_many([1000])


def test_unreadable_items_are_reported_not_cached(tmp_path: Path, archive: Path) -> None:
    cache = ModelInputCache(tmp_path / "cache", SIZE)

    def sources(item_id: int) -> ScanSource:
        if item_id == 2:
            return ScanSource("raster", (str(tmp_path / "gone.png"),))
        return ScanSource("npz", (str(archive),), member=f"train:{item_id}")

    failures = cache.ensure(range(4), sources)
    assert list(failures) == [2]
    assert failures[2].startswith("file not found")
    assert 2 not in cache and 3 in cache


def test_cancel_keeps_finished_batches(tmp_path: Path, archive: Path) -> None:
    token = CancelToken()
    cache = ModelInputCache(tmp_path / "cache", SIZE, commit_rows=10)

    def progress(step: object) -> None:
        if len(cache) >= 20:
            token.cancel()

    with pytest.raises(Cancelled):
        cache.ensure(range(100), CountingSources(archive), progress=progress, cancel=token,
                     batch_size=10)
    assert len(cache) == 20
    assert len(ModelInputCache(tmp_path / "cache", SIZE)) == 20


def test_survives_a_kill_mid_fill(tmp_path: Path, archive: Path) -> None:
    folder = tmp_path / "cache"
    script = textwrap.dedent(f"""
        import time
        from alstudio.datasets import ModelInputCache, ScanSource
        cache = ModelInputCache({str(folder)!r}, {SIZE}, initial_capacity=4, commit_rows=8)
        def source(item):
            time.sleep(0.003)
            return ScanSource("npz", ({str(archive)!r},), member=f"train:{{item}}")
        cache.ensure(range(200), source, progress=lambda p: print(p.done, flush=True),
                     batch_size=8)
        print("finished", flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    assert child.stdout is not None
    for line in child.stdout:
        assert line.strip() != "finished", "the kill came too late to test anything"
        if int(line) >= 40:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()

    cache = ModelInputCache(folder, SIZE)
    done = len(cache)
    assert 40 <= done < 200
    cached = [i for i in range(200) if i in cache]
    rows = cache.get_many(cached)
    for row, item in zip(rows, cached, strict=True):
        assert np.array_equal(row, _expected(archive, item))
    sources = CountingSources(archive)
    cache.ensure(range(200), sources)
    assert len(sources.calls) == 200 - done
    assert len(cache) == 200


def test_damaged_files_start_afresh(tmp_path: Path, archive: Path) -> None:
    folder = tmp_path / "cache"
    cache = ModelInputCache(folder, SIZE)
    cache.ensure(range(5), CountingSources(archive))
    cache.close()
    # a kill while saving the index leaves a half-written temporary file: ignored
    (folder / f"inputs-{SIZE}.index.npy.tmp").write_bytes(b"\x93NUMPY garbage")
    assert len(ModelInputCache(folder, SIZE)) == 5
    assert not (folder / f"inputs-{SIZE}.index.npy.tmp").exists()
    # a damaged index (disk trouble, a user editing files) means recomputing, not crashing
    (folder / f"inputs-{SIZE}.index.npy").write_bytes(b"garbage")
    damaged = ModelInputCache(folder, SIZE)
    assert len(damaged) == 0
    sources = CountingSources(archive)
    damaged.ensure(range(5), sources)
    assert len(sources.calls) == 5
    # another input size is another cache, side by side
    other = ModelInputCache(folder, 8)
    assert len(other) == 0


def test_colour_cache_beside_grey_cache(tmp_path: Path) -> None:
    """RGB archives cache 3 channels in their own file; the grey file keeps its old name, so
    grey caches built before colour inputs stay valid."""
    rng = np.random.default_rng(3)
    path = tmp_path / "rgb.npz"
    np.savez_compressed(path, train_images=rng.integers(0, 255, (6, 28, 28, 3), dtype=np.uint8),
                        train_labels=rng.integers(0, 5, 6, dtype=np.uint8))
    folder = tmp_path / "cache"
    grey = ModelInputCache(folder, SIZE)
    grey.ensure(range(6), CountingSources(path))
    grey.close()
    assert (folder / f"inputs-{SIZE}.npy").exists()
    colour = ModelInputCache(folder, SIZE, channels=3)
    assert len(colour) == 0
    colour.ensure(range(6), CountingSources(path))
    rows = colour.get_many([0, 5])
    assert rows.shape == (2, 3, SIZE, SIZE)
    assert not np.array_equal(rows[0, 0], rows[0, 1])  # real colour, not grey repeated
    colour.close()
    assert (folder / f"inputs-{SIZE}-rgb.npy").exists()
    sources = CountingSources(path)
    again = ModelInputCache(folder, SIZE)
    again.ensure(range(6), sources)
    assert sources.calls == [] and again.get(0).shape == (1, SIZE, SIZE)
