"""Selection on the GPU: the same cases as ``selection_speed.py``, with the pool's arrays as
CUDA tensors (as a round passes them when the model ran on the GPU), against the CPU path.

    python benchmarks/selection_speed_gpu.py [--quick]

For each case: seconds on CUDA (best of 3, after a warm-up), seconds on CPU, whether the
picks agree, and the peak GPU memory above the inputs. Without CUDA it says so and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from selection_speed import agreement, make_data

from alstudio.selection import select


def timed(fn, repeats: int) -> tuple[float, np.ndarray]:
    picks = fn()  # warm-up: kernels, allocator
    best = float("inf")
    for _ in range(repeats):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        picks = fn()
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best, picks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to measure here")
        return
    print(f"device: {torch.cuda.get_device_name(0)}; torch {torch.__version__}")
    small, big, huge, k = (5_000, 20_000, 100_000, 200) if args.quick else (
        10_000, 200_000, 1_000_000, 1000)
    for strategy, n, kind in [("coreset", small, "gauss"), ("coreset", big, "gauss"),
                              ("coreset", big, "clustered"), ("coreset_uncertainty", big, "gauss"),
                              ("badge", small, "gauss"), ("badge", big, "gauss"),
                              ("entropy", huge, "gauss"), ("margin", huge, "gauss")]:
        data = make_data(n, kind, need_probs=strategy != "coreset")
        uses_embeddings = strategy not in ("entropy", "margin")

        def run(on_gpu: bool, data=data, strategy=strategy, uses=uses_embeddings):
            kw = {}
            for key in ("probs", "embeddings"):
                if key in data and (key == "probs" or uses):
                    kw[key] = torch.from_numpy(data[key]).cuda() if on_gpu else data[key]
            return select(strategy, k=k, labeled=data["labeled"], seed=0, **kw).indices

        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        gpu_s, gpu_picks = timed(lambda run=run: run(True), 3)
        peak_mb = (torch.cuda.max_memory_allocated() - base) / 2**20
        t0 = time.perf_counter()
        cpu_picks = run(False)
        cpu_s = time.perf_counter() - t0
        inputs_mb = sum(v.nbytes for key, v in data.items() if key != "labeled") / 2**20
        print(f"{strategy:20s} N={n:>9,} K={k} {kind:9s}  cuda {gpu_s:7.3f} s  cpu {cpu_s:7.2f} s"
              f"  x{cpu_s / gpu_s:6.1f}  picks {agreement(gpu_picks, cpu_picks)}"
              f"  GPU peak {peak_mb:6.0f} MB (inputs {inputs_mb:.0f} MB)", flush=True)


if __name__ == "__main__":
    main()
