"""Is the training recipe stable enough to compare active-learning strategies with?

Trains the default recipe on random labeled subsets of BreastMNIST's pool (train + val, 624
images) of 20 .. 624 labels, several seeds each, and scores every model on the official test
split (156 images, never used for anything else). Prints mean +- std of balanced accuracy and
ROC AUC per size, how many runs collapsed to one class, and the seconds per training. A usable
recipe rises with labels and has a small spread at the larger sizes (EVALUATION.md aims for a
balanced-accuracy std <= 0.03 at the final budget).

    python benchmarks/training_stability.py [--seeds 5] [--sizes 20,40,80,160,320,624]
                                            [--set lr=0.001 --set augment=false ...]

Default recipe, 5 seeds, small_cnn, 1 CPU thread (2-core machine shared with other work):

    labels  balanced accuracy   ROC AUC         collapsed
        20  0.635 +- 0.069      0.734 +- 0.077  0/5   (no held-back slice below 30 labels)
        40  0.672 +- 0.033      0.756 +- 0.039  0/5
        80  0.724 +- 0.026      0.803 +- 0.033  0/5
       160  0.795 +- 0.014      0.862 +- 0.006  0/5
       320  0.775 +- 0.016      0.870 +- 0.016  0/5   (10 seeds: 0.779 +- 0.021)
       624  0.821 +- 0.026      0.896 +- 0.007  0/5

A 100-label training takes about 5-6 s on the 2-core CPU with 2 threads.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from alstudio.learning.inference import predict  # noqa: E402
from alstudio.learning.metrics import balanced_accuracy, roc_auc  # noqa: E402
from alstudio.learning.training import TrainConfig, train_model  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "breastmnist" / "breastmnist.npz"


def load_breastmnist(path: Path = DATA) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pool_x, pool_y, test_x, test_y), images scaled to [0, 1] with a channel axis."""
    data = np.load(path)

    def images(key: str) -> np.ndarray:
        return (data[f"{key}_images"].astype(np.float32) / 255.0)[:, None]

    pool_x = np.concatenate([images("train"), images("val")])
    pool_y = np.concatenate([data["train_labels"], data["val_labels"]]).astype(np.int64).ravel()
    return pool_x, pool_y, images("test"), data["test_labels"].astype(np.int64).ravel()


def parse_overrides(items: list[str]) -> dict[str, object]:
    """``--set name=value`` pairs, typed after the TrainConfig field they replace."""
    types = {f.name: f.type for f in dataclasses.fields(TrainConfig)}
    out: dict[str, object] = {}
    for item in items:
        name, _, raw = item.partition("=")
        kind = str(types[name])
        if raw.lower() in ("none", "null"):
            out[name] = None
        elif "bool" in kind:
            out[name] = raw.lower() in ("1", "true", "yes")
        elif "int" in kind and "." not in raw:
            out[name] = int(raw)
        elif "float" in kind or "int" in kind:
            out[name] = float(raw)
        else:
            out[name] = raw
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sizes", default="20,40,80,160,320,624")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a TrainConfig field")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="2 seeds at 20 and 80 labels")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.sizes = 2, "20,80"
    if not DATA.is_file():
        sys.exit(f"BreastMNIST not found at {DATA}")
    if args.threads:
        torch.set_num_threads(args.threads)
    overrides = parse_overrides(args.set)
    pool_x, pool_y, test_x, test_y = load_breastmnist()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"BreastMNIST pool {len(pool_y)} / test {len(test_y)}; "
          f"{torch.get_num_threads()} threads; overrides {overrides or 'none'}")
    print(f"{'labels':>6} {'bal.acc mean±std':>17} {'AUC mean±std':>15} {'collapsed':>9} "
          f"{'s/train':>8}  per-seed bal.acc")
    for size in sizes:
        baccs, aucs, secs, collapsed = [], [], [], 0
        for seed in range(args.seeds):
            rng = np.random.default_rng(1000 + seed)
            subset = rng.choice(len(pool_y), size=min(size, len(pool_y)), replace=False)
            config = TrainConfig(seed=seed, device="cpu", **overrides)  # type: ignore[arg-type]
            start = time.perf_counter()
            result = train_model(pool_x[subset], pool_y[subset], 2, config)
            secs.append(time.perf_counter() - start)
            probs = predict(result.model, test_x).probs
            baccs.append(balanced_accuracy(test_y, probs.argmax(1), 2))
            aucs.append(roc_auc(test_y, probs))
            collapsed += int(result.collapsed)
        b, a = np.array(baccs), np.array(aucs)
        print(f"{size:>6} {b.mean():>9.3f} ± {b.std():.3f} {a.mean():>7.3f} ± {a.std():.3f} "
              f"{collapsed:>6}/{args.seeds} {np.mean(secs):>8.1f}  "
              + " ".join(f"{v:.2f}" for v in b), flush=True)


if __name__ == "__main__":
    main()
