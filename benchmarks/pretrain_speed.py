"""Pretraining on the unlabeled pool: seconds per epoch on the CPU, for the demo and at scale.

Two measurements:

- **the demo, end to end**: ``run_pretrain`` on a fresh copy of the demo project (decoding the
  model inputs, the epochs, storing the safetensors checkpoint), then a second call that
  continues from the stored encoder, as `alstudio pretrain` does when run again;
- **at scale**: the encoder's training loop alone on ``--images`` pool images (BreastMNIST's
  grey and RetinaMNIST's colour images from ``../shared/data``, tiled to that count, so the
  pixels are real), one epoch each.

Each line gives seconds per epoch, images per second and the process's peak RSS so far.
What a user waits for is linear in images x epochs: multiply by the epochs asked for (the
window's dialog does the same from the last run's speed).

    python benchmarks/pretrain_speed.py [--images 10000] [--epochs 1] [--threads 1] [--quick]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alstudio.evaluation.simulate import load_archive
from alstudio.learning.pretrain import PretrainConfig, pretrain
from alstudio.workflow.demo import build_demo
from alstudio.workflow.pretrain import run_pretrain

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
ARCHIVES = {"BreastMNIST (grey)": DATA / "breastmnist" / "breastmnist.npz",
            "RetinaMNIST (colour)": DATA / "retinamnist" / "retinamnist.npz"}


def peak_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def demo(epochs: int, threads: int) -> None:
    """The demo project, end to end, then resumed."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.alstudio"
        build_demo(path)[0].close()
        for run in ("fresh", "resumed"):
            started = time.monotonic()
            outcome = run_pretrain(path, epochs=epochs, threads=threads)
            total = time.monotonic() - started
            print(f"demo, {run}: {outcome.images} images, {epochs} epoch(s) in {total:.1f} s "
                  f"end to end ({total / epochs:.1f} s an epoch, "
                  f"{outcome.images * epochs / total:.0f} images/s); now "
                  f"{outcome.epochs_done} epochs, loss {outcome.last_loss:.3f}; "
                  f"peak RSS {peak_mib():.0f} MiB", flush=True)


def at_scale(images: int, epochs: int, threads: int) -> None:
    """The training loop alone on ``images`` real pool images of each archive."""
    for name, archive in ARCHIVES.items():
        if not archive.exists():
            print(f"{name}: {archive} is absent; skipped")
            continue
        pool = load_archive(archive, None)["x_pool"]
        tiled = np.resize(pool, (images, *pool.shape[1:]))  # repeats the real images
        config = PretrainConfig(epochs=epochs, num_threads=threads)
        started = time.monotonic()
        encoder = pretrain(tiled, config)
        total = time.monotonic() - started
        print(f"{name}: {images} images of {pool.shape[1]}x{pool.shape[2]}x{pool.shape[3]}, "
              f"{epochs} epoch(s) in {total:.1f} s ({total / epochs:.1f} s an epoch, "
              f"{images * epochs / total:.0f} images/s), loss {encoder.history[-1]:.3f}; "
              f"peak RSS {peak_mib():.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads (the window gives pretraining all cores but one)")
    parser.add_argument("--quick", action="store_true", help="the demo only, 1 epoch")
    args = parser.parse_args()
    demo(args.epochs, args.threads)
    if not args.quick:
        at_scale(args.images, args.epochs, args.threads)


if __name__ == "__main__":
    main()
