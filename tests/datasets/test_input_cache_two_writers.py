"""Two processes filling one fresh model-input cache at once (two rounds started together)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from alstudio.datasets import ModelInputCache, ScanSource

REPO = Path(__file__).resolve().parents[2]
WRITER = textwrap.dedent("""
    import sys
    from alstudio.datasets import ModelInputCache, ScanSource
    archive, folder, first = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cache = ModelInputCache(folder, 16, initial_capacity=4)  # small: both grow it repeatedly
    order = list(range(first, 300)) + list(range(first))
    failures = cache.ensure(order, lambda i: ScanSource("npz", (archive,), f"train:{i}"),
                            batch_size=8)
    assert not failures, failures
    cache.close()
    print("done", flush=True)
""")


def test_two_processes_fill_one_fresh_cache_without_losing_rows(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    archive = tmp_path / "a.npz"
    np.savez_compressed(archive, train_images=rng.integers(0, 255, (300, 28, 28), np.uint8),
                        train_labels=rng.integers(0, 2, 300, dtype=np.uint8))
    for attempt in range(2):
        folder = tmp_path / f"cache{attempt}"
        writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(archive), str(folder),
                                     str(first)], cwd=REPO, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
                   for first in (0, 150)]
        for writer in writers:
            out, err = writer.communicate(timeout=120)
            assert writer.returncode == 0 and out.strip() == "done", err
        cache = ModelInputCache(folder, 16)
        assert len(cache) == 300 and not cache.missing(range(300))
        one = ModelInputCache(tmp_path / f"alone{attempt}", 16)
        one.ensure([5, 200], lambda i: ScanSource("npz", (str(archive),), f"train:{i}"))
        np.testing.assert_array_equal(cache.get_many([5, 200]), one.get_many([5, 200]))
        assert not list(folder.glob("*.tmp"))
        cache.close()
        one.close()
