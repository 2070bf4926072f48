"""Two cheap ideas for fewer labels, measured with random labels before any whole curve.

    python benchmarks/cheap_ideas.py ../shared/data/breastmnist/breastmnist.npz
    python benchmarks/cheap_ideas.py ARCHIVE.npz --budgets 60,160,300 --seeds 5 --epochs 20

A whole active-learning curve costs about an hour a cell on a CPU, so an idea is first asked
the cheaper question: with k random labels, does it lift test balanced accuracy at all?

* **Flip averaging at test time**: the product's classifier (trained from scratch, as a round
  trains it) scores each test scan and its left-right mirror image, and the two probability
  rows are averaged. Training already flips scans at random, so the mirror is a scan the model
  has learnt to read; if averaging helped, it would lift every curve (random's too) and the
  uncertainty the default strategy ranks by.
* **Label spreading on the pool encoder's features**: scikit-learn's ``LabelSpreading`` on a
  k-nearest-neighbour graph of every pool scan (labeled or not) against the class-balanced
  logistic regression the feature probe fits on the labeled scans alone. Spreading is the
  classic way to let the unlabeled pool's shape carry the labels; the class-mass correction
  (each class's spread mass divided by its labeled count) keeps a rare class from being
  drowned by the majority's neighbours.

Every figure is test balanced accuracy, mean ± std over seeds (seed s: the same random
labeled set of k pool scans for every row); "paired" rows are the per-seed difference from
the reference row, mean ± standard error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.semi_supervised import LabelSpreading

from alstudio.evaluation.simulate import load_archive
from alstudio.learning.feature_probe import probe_probabilities
from alstudio.learning.inference import mirrored, predict
from alstudio.learning.pretrain import PretrainConfig, encoder_features, pretrain
from alstudio.learning.training import TrainConfig, train_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encoder_probe import balanced, describe  # the benchmarks' shared helpers
from semi_recipe import labeled_rows  # the same seeded sets as the semi recipe


def paired(tried: list[float], reference: list[float]) -> str:
    diff = np.asarray(tried) - np.asarray(reference)
    if diff.size == 0:
        return "–"
    error = float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else 0.0
    return f"{diff.mean():+.3f} ± {error:.3f}"


def spread_probabilities(pool_features: np.ndarray, rows: np.ndarray, labels: np.ndarray,
                         features: np.ndarray, num_classes: int, neighbours: int = 10,
                         alpha: float = 0.2) -> np.ndarray:
    """Class-mass-corrected label spreading from the labeled ``rows`` over the whole pool's
    k-NN graph, read out for ``features`` (a class never labeled gets probability 0)."""
    targets = np.full(len(pool_features), -1, dtype=np.int64)
    targets[rows] = labels
    model = LabelSpreading(kernel="knn", n_neighbors=neighbours, alpha=alpha, max_iter=200)
    model.fit(pool_features.astype(np.float64), targets)
    out = np.zeros((len(features), num_classes), dtype=np.float64)
    out[:, model.classes_] = model.predict_proba(features.astype(np.float64))
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    out[:, counts > 0] /= counts[counts > 0]
    out[:, counts == 0] = 0.0
    return out / np.clip(out.sum(axis=1, keepdims=True), 1e-12, None)


def flip_rows(data: dict[str, np.ndarray], budgets: list[int], seeds: int) -> list[str]:
    y_pool, y_test = data["y_pool"], data["y_test"]
    classes = int(y_pool.max()) + 1
    plain_cells, flip_cells, diff_cells = [], [], []
    for k in budgets:
        plain, flipped = [], []
        for seed in range(seeds):
            rows = labeled_rows(len(y_pool), k, seed)
            trained = train_model(data["x_pool"][rows], y_pool[rows], classes,
                                  TrainConfig(seed=seed, num_threads=1))
            probs = predict(trained.model, data["x_test"]).probs
            mirror = predict(trained.model, mirrored(data["x_test"])).probs
            plain.append(balanced(y_test, probs))
            flipped.append(balanced(y_test, (probs + mirror) / 2))
        plain_cells.append(describe(plain))
        flip_cells.append(describe(flipped))
        diff_cells.append(paired(flipped, plain))
    return ["| classifier from scratch | " + " | ".join(plain_cells) + " |",
            "| + flip averaging at test time | " + " | ".join(flip_cells) + " |",
            "| (flip averaging, paired) | " + " | ".join(diff_cells) + " |"]


def spreading_rows(data: dict[str, np.ndarray], features: tuple[np.ndarray, np.ndarray],
                   budgets: list[int], seeds: int) -> list[str]:
    y_pool, y_test = data["y_pool"], data["y_test"]
    classes = int(y_pool.max()) + 1
    pool, test = features
    probe_cells, spread_cells, diff_cells = [], [], []
    for k in budgets:
        probe, spread = [], []
        for seed in range(seeds):
            rows = labeled_rows(len(y_pool), k, seed)
            if np.unique(y_pool[rows]).size < 2:
                continue  # neither model can be fitted on a single class
            probe.append(balanced(y_test, probe_probabilities(pool[rows], y_pool[rows], test,
                                                              classes)))
            spread.append(balanced(y_test, spread_probabilities(pool, rows, y_pool[rows], test,
                                                                classes)))
        probe_cells.append(describe(probe))
        spread_cells.append(describe(spread))
        diff_cells.append(paired(spread, probe))
    return ["| feature probe (logistic regression on the labeled scans) | "
            + " | ".join(probe_cells) + " |",
            "| label spreading over the pool's k-NN graph | " + " | ".join(spread_cells) + " |",
            "| (label spreading, paired) | " + " | ".join(diff_cells) + " |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, metavar="ARCHIVE.npz")
    parser.add_argument("--budgets", default="60,160,300")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20, help="pretraining epochs")
    parser.add_argument("--skip", default="", help="flip or spreading: leave that part out")
    args = parser.parse_args()
    torch.set_num_threads(1)
    budgets = [int(b) for b in args.budgets.split(",")]
    data = load_archive(args.archive, None)
    print(f"{args.archive.name}: {len(data['y_pool'])} pool scans, {len(data['y_test'])} "
          f"test, {args.seeds} seeds, one thread\n")
    print("| model | " + " | ".join(f"{k} labels" for k in budgets) + " |")
    print("|---" * (len(budgets) + 1) + "|")
    if args.skip != "flip":
        print("\n".join(flip_rows(data, budgets, args.seeds)), flush=True)
    if args.skip != "spreading":
        started = time.perf_counter()
        encoder = pretrain(data["x_pool"], PretrainConfig(epochs=args.epochs, seed=0,
                                                          num_threads=1))
        features = (encoder_features(encoder, data["x_pool"]),
                    encoder_features(encoder, data["x_test"]))
        print("\n".join(spreading_rows(data, features, budgets, args.seeds)), flush=True)
        print(f"\npretraining: {args.epochs} epochs {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
