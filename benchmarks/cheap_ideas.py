"""Three cheap ideas for fewer labels, measured with random labels before any whole curve.

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
* **A small deep ensemble**: three or five of the product's classifiers, each trained from
  scratch on the same labeled scans with its own seed (member 0's seed is the lone
  classifier's, so the comparison is paired), their test probabilities averaged. Ensembles
  are the best-known way to make a small-data network's probabilities better calibrated and
  its accuracy steadier; the cost is one training per member in every round.

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


def ensemble_rows(data: dict[str, np.ndarray], budgets: list[int], seeds: int,
                  sizes: tuple[int, ...] = (3, 5)) -> list[str]:
    """Member m of seed s trains with seed ``s + 1000 m`` on seed s's labeled set; each
    budget's figures go to stderr as soon as they exist, so a long run's start survives."""
    y_pool, y_test = data["y_pool"], data["y_test"]
    classes = int(y_pool.max()) + 1
    single_cells: list[str] = []
    mean_cells: dict[int, list[str]] = {size: [] for size in sizes}
    diff_cells: dict[int, list[str]] = {size: [] for size in sizes}
    for k in budgets:
        single: list[float] = []
        means: dict[int, list[float]] = {size: [] for size in sizes}
        for seed in range(seeds):
            rows = labeled_rows(len(y_pool), k, seed)
            members = [predict(train_model(data["x_pool"][rows], y_pool[rows], classes,
                                           TrainConfig(seed=seed + 1000 * m,
                                                       num_threads=1)).model,
                               data["x_test"]).probs for m in range(max(sizes))]
            single.append(balanced(y_test, members[0]))
            for size in sizes:
                means[size].append(balanced(y_test, np.mean(members[:size], axis=0)))
        single_cells.append(describe(single))
        for size in sizes:
            mean_cells[size].append(describe(means[size]))
            diff_cells[size].append(paired(means[size], single))
        print(f"{k} labels: one {single_cells[-1]}, " + ", ".join(
            f"mean of {size} {mean_cells[size][-1]} ({diff_cells[size][-1]})"
            for size in sizes), file=sys.stderr, flush=True)
    lines = ["| one classifier (ensemble member 0) | " + " | ".join(single_cells) + " |"]
    lines += [f"| mean of {size} classifiers, each its own seed | "
              + " | ".join(mean_cells[size]) + " |" for size in sizes]
    lines += [f"| (mean of {size}, paired) | " + " | ".join(diff_cells[size]) + " |"
              for size in sizes]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, metavar="ARCHIVE.npz")
    parser.add_argument("--budgets", default="60,160,300")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20, help="pretraining epochs")
    parser.add_argument("--skip", default="",
                        help="comma list of flip, spreading, ensemble: leave those parts out")
    args = parser.parse_args()
    skipped = {part.strip() for part in args.skip.split(",") if part.strip()}
    unknown = skipped - {"flip", "spreading", "ensemble"}
    if unknown:
        parser.error(f"--skip: unknown part {', '.join(sorted(unknown))}; "
                     "choose from flip, spreading, ensemble")
    torch.set_num_threads(1)
    budgets = [int(b) for b in args.budgets.split(",")]
    data = load_archive(args.archive, None)
    print(f"{args.archive.name}: {len(data['y_pool'])} pool scans, {len(data['y_test'])} "
          f"test, {args.seeds} seeds, one thread\n")
    print("| model | " + " | ".join(f"{k} labels" for k in budgets) + " |")
    print("|---" * (len(budgets) + 1) + "|")
    if "flip" not in skipped:
        print("\n".join(flip_rows(data, budgets, args.seeds)), flush=True)
    if "ensemble" not in skipped:
        print("\n".join(ensemble_rows(data, budgets, args.seeds)), flush=True)
    if "spreading" not in skipped:
        started = time.perf_counter()
        encoder = pretrain(data["x_pool"], PretrainConfig(epochs=args.epochs, seed=0,
                                                          num_threads=1))
        features = (encoder_features(encoder, data["x_pool"]),
                    encoder_features(encoder, data["x_test"]))
        print("\n".join(spreading_rows(data, features, budgets, args.seeds)), flush=True)
        print(f"\npretraining: {args.epochs} epochs {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
