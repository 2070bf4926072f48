"""The output cache: round trip, atomic replacement, nothing pickled."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alstudio.learning.cache import OutputCache, cache_key
from alstudio.learning.inference import ModelOutputs


def _outputs(committee: bool = True) -> ModelOutputs:
    rng = np.random.default_rng(0)
    return ModelOutputs(probs=rng.random((5, 2), dtype=np.float32),
                        embeddings=rng.random((5, 8), dtype=np.float32),
                        committee=rng.random((3, 5, 2), dtype=np.float32) if committee else None)


def test_round_trip(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path / "cache")
    key = cache_key("ab" * 32, "pool-v1")
    assert cache.get(key) is None
    original = _outputs()
    cache.put(key, original)
    loaded = cache.get(key)
    assert loaded is not None and loaded.committee is not None
    np.testing.assert_array_equal(loaded.probs, original.probs)
    np.testing.assert_array_equal(loaded.embeddings, original.embeddings)
    np.testing.assert_array_equal(loaded.committee, original.committee)
    files = sorted(p.name for p in (tmp_path / "cache" / key).iterdir())
    assert files == ["committee.npy", "embeddings.npy", "probs.npy"]
    for name in files:  # plain arrays: loadable with pickles forbidden
        np.load(tmp_path / "cache" / key / name, allow_pickle=False)


def test_replacing_an_entry_leaves_no_temporaries(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path, mmap=True)
    cache.put("k", _outputs())
    cache.put("k", _outputs(committee=False))
    loaded = cache.get("k")
    assert loaded is not None and loaded.committee is None
    assert [p.name for p in tmp_path.iterdir()] == ["k"]
    cache.discard("k")
    assert cache.get("k") is None


def test_odd_keys_stay_inside_the_folder(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path / "c")
    cache.put("../../escape/me", _outputs())
    assert cache.get("../../escape/me") is not None
    assert all(p.parent == tmp_path / "c" for p in (tmp_path / "c").iterdir())
    assert not (tmp_path / "escape").exists()
