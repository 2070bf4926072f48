"""Scoring a pool once per checkpoint: the model pass against reading its cached outputs.

Stream mode and checkpoint committees ask a checkpoint about items it scored in its own round;
the engine reads those outputs back (alstudio.engine.scoring) instead of running the model.
This times both on the demo pool (BreastMNIST, 624 items at 28 px) with the CPU's small_cnn,
plus a subset read (the pool minus a new delivery) and an MC-dropout committee.

    python benchmarks/score_cache.py [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from alstudio.engine import ScoreCache, score
from alstudio.learning.checkpoints import checkpoint_digest, checkpoint_to_bytes
from alstudio.learning.models import build_model


def _best(runs: int, job: Callable[[], object]) -> float:
    """Fastest of ``runs`` timings of ``job()`` in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    """Print the seconds for a model pass and for cache reads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=624)
    parser.add_argument("--quick", action="store_true", help="one timing each")
    args = parser.parse_args()
    runs = 1 if args.quick else 3
    torch.manual_seed(0)
    model = build_model("small_cnn", 1, 2, 28)
    x = np.random.default_rng(0).random((args.items, 1, 28, 28), dtype=np.float32)
    ids = np.arange(1, args.items + 1)
    digest = checkpoint_digest(checkpoint_to_bytes(model, {"classes": ["a", "b"]}))
    with tempfile.TemporaryDirectory() as tmp:
        cache = ScoreCache(Path(tmp))
        model_pass = _best(runs, lambda: score(model, x))
        score(model, x, cache=cache, digest=digest, item_ids=ids)
        read = _best(runs, lambda: score(model, x, cache=cache, digest=digest, item_ids=ids))
        part = ids[: int(args.items * 0.9)]
        subset = _best(runs, lambda: score(model, x[: part.size], cache=cache, digest=digest,
                                           item_ids=part))
        mc_pass = _best(runs, lambda: score(model, x, mc_passes=10))
        score(model, x, cache=cache, digest=digest, item_ids=ids, mc_passes=10)
        mc_read = _best(runs, lambda: score(model, x, cache=cache, digest=digest, item_ids=ids,
                                            mc_passes=10))
    print(f"pool of {args.items} items, small_cnn at 28 px, {torch.get_num_threads()} threads")
    print(f"  model pass           {model_pass * 1000:8.1f} ms")
    print(f"  cached read          {read * 1000:8.1f} ms  ({model_pass / read:.0f}x faster)")
    print(f"  cached subset (90%)  {subset * 1000:8.1f} ms")
    print(f"  MC-dropout (10) pass {mc_pass * 1000:8.1f} ms")
    print(f"  MC-dropout read      {mc_read * 1000:8.1f} ms  ({mc_pass / mc_read:.0f}x faster)")


if __name__ == "__main__":
    main()
