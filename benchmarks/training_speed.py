"""How fast does each model train and score on this machine?

Prints training images per second (forward + backward + AdamW step on augmented 32-image
channels-last batches, as ``train_model`` runs them) and inference images per second
(``predict`` with 256-image batches) for every architecture at 28 and 64 px. These figures
are what ``default_model_name`` is based on.

    python benchmarks/training_speed.py [--quick] [--device auto|cpu|cuda] [--threads N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alstudio.learning.augment import augment_batch
from alstudio.learning.device import describe_device, pick_device
from alstudio.learning.inference import autocast_for, predict
from alstudio.learning.models import build_model

MODELS = ("small_cnn", "resnet18", "densenet121", "efficientnet-b0")


def train_rate(name: str, size: int, device: torch.device, seconds: float) -> float:
    """Training images per second, measured for about ``seconds`` after two warm-up steps."""
    torch.manual_seed(0)
    model = build_model(name, 1, 2, size).to(device).train()
    channels_last = device.type in ("cpu", "cuda")  # as train_model does
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.rand(32, 1, size, size, device=device)
    y = torch.randint(0, 2, (32,), device=device)
    generator = torch.Generator().manual_seed(0)
    done, steps, start = 0, 0, 0.0
    while True:
        if steps == 2:
            if device.type == "cuda":
                torch.cuda.synchronize()
            start, done = time.perf_counter(), 0
        inputs = augment_batch(x, generator)
        if channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        with autocast_for(device):
            loss = F.cross_entropy(model(inputs).float(), y)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        steps += 1
        done += 32
        if steps > 2 and time.perf_counter() - start > seconds:
            break
    if device.type == "cuda":
        torch.cuda.synchronize()
    return done / (time.perf_counter() - start)


def inference_rate(name: str, size: int, device: torch.device, n: int) -> float:
    """Images per second through ``predict`` (features + probabilities)."""
    model = build_model(name, 1, 2, size).to(device)
    x = np.random.default_rng(0).random((n, 1, size, size), dtype=np.float32)
    predict(model, x[:256])  # warm-up
    start = time.perf_counter()
    predict(model, x)
    return n / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter measurements")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    seconds = 1.0 if args.quick else 4.0
    print(f"device: {describe_device(device)}; torch {torch.__version__}")
    print(f"{'model':<16} {'px':>3} {'train img/s':>12} {'infer img/s':>12}")
    for size in (28, 64):
        for name in MODELS:
            small = name == "small_cnn"
            n = (2048 if small else 512) if args.quick else (8192 if small else 1024)
            if device.type == "cuda":
                n *= 8
            train = train_rate(name, size, device, seconds)
            infer = inference_rate(name, size, device, n)
            print(f"{name:<16} {size:>3} {train:>12.0f} {infer:>12.0f}", flush=True)


if __name__ == "__main__":
    main()
