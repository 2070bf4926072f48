"""Why do semi-supervised rounds cost balanced accuracy? Their recipe's knobs, one at a time.

    python benchmarks/semi_recipe.py ../shared/data/breastmnist/breastmnist.npz
    python benchmarks/semi_recipe.py ARCHIVE.npz --budgets 60,160,300 --seeds 5 \\
        --variants supervised,today,ema,flat,ramp,all

Over whole active-learning curves (the README's ablation table) semi-supervised rounds lost
0.061 of area on BreastMNIST at natural balance and gained about 0.011 on RetinaMNIST; even
random labels scored lower with them at 300 labels (0.751 against 0.797). A whole curve takes
an hour a cell on a CPU, so this asks the cheaper question first: with k random labels from
the pool and the rest of the pool unlabeled, as a round sees them, how does the classifier
score on the test split with each version of the consistency term? Each variant changes one
knob of the recipe (:mod:`alstudio.learning.semi`):

* ``supervised``: no unlabeled term (today's default round);
* ``today``: the term as ``round --semi-supervised`` trains it;
* ``ema``: pseudo-labels from the running average of the weights, not the weights themselves;
* ``flat``: pseudo-labels not class-weighted (the labeled loss already is);
* ``ramp``: the term's weight rising from 0 over the first half of the steps;
* ``all``: the three together.

Every figure is test balanced accuracy, mean ± std over seeds (each seed a different random
labeled set, the same for every variant), and each variant's paired difference from
``supervised`` (mean ± standard error over seeds).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from alstudio.evaluation.simulate import load_archive
from alstudio.learning.inference import predict
from alstudio.learning.metrics import classification_summary
from alstudio.learning.training import TrainConfig, train_model

#: Each variant's change to the product's recipe; ``None``: no unlabeled term.
VARIANTS: dict[str, dict[str, object] | None] = {
    "supervised": None,
    "today": {},
    "ema": {"pseudo_teacher": "ema"},
    "flat": {"pseudo_weighting": "none"},
    "ramp": {"unlabeled_ramp": 0.5},
    "all": {"pseudo_teacher": "ema", "pseudo_weighting": "none", "unlabeled_ramp": 0.5},
}


def labeled_rows(pool_size: int, k: int, seed: int) -> np.ndarray:
    """Seed s's k random pool rows: the same set for every variant."""
    return np.sort(np.random.default_rng(seed).choice(pool_size, k, replace=False))


def score(data: dict[str, np.ndarray], rows: np.ndarray, seed: int,
          change: dict[str, object] | None) -> tuple[float, float, float]:
    """Test balanced accuracy of one training, its seconds, and the share of unlabeled views
    that passed the confidence threshold."""
    y_pool = data["y_pool"]
    config = replace(TrainConfig(seed=seed, num_threads=1), **(change or {}))
    rest = np.setdiff1d(np.arange(len(y_pool)), rows)
    started = time.perf_counter()
    trained = train_model(data["x_pool"][rows], y_pool[rows], int(y_pool.max()) + 1, config,
                          unlabeled=None if change is None else (data["x_pool"], rest))
    seconds = time.perf_counter() - started
    probs = predict(trained.model, data["x_test"]).probs
    balanced = float(classification_summary(data["y_test"], probs)["balanced_accuracy"])
    steps = max(1, trained.history[-1]["steps"] if trained.history else 1)
    batch = min(32, rest.size, max(16, int(trained.n_train) // 4))
    used = trained.pseudo_labels_used / (steps * batch) if change is not None else 0.0
    return balanced, seconds, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, metavar="ARCHIVE.npz")
    parser.add_argument("--budgets", default="60,160,300")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    budgets = [int(b) for b in args.budgets.split(",")]
    names = [n for n in args.variants.split(",") if n]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    data = load_archive(args.archive, None)
    print(f"{args.archive.name}: {len(data['y_pool'])} pool scans, {len(data['y_test'])} test, "
          f"{args.seeds} seeds, one thread\n")
    scores = {n: {k: [] for k in budgets} for n in names}
    seconds = {n: [] for n in names}
    used = {n: [] for n in names}
    for k in budgets:
        for seed in range(args.seeds):
            rows = labeled_rows(len(data["y_pool"]), k, seed)
            for name in names:
                balanced, took, share = score(data, rows, seed, VARIANTS[name])
                scores[name][k].append(balanced)
                seconds[name].append(took)
                used[name].append(share)
                print(f"  {k} labels, seed {seed}, {name}: {balanced:.3f} ({took:.0f} s, "
                      f"{share:.0%} pseudo-labelled)", flush=True)
    print("\n| variant | " + " | ".join(f"{k} labels" for k in budgets)
          + " | s per training | views pseudo-labelled |")
    print("|---" * (len(budgets) + 3) + "|")
    for name in names:
        cells = []
        for k in budgets:
            mine = np.asarray(scores[name][k])
            cell = f"{mine.mean():.3f} ± {mine.std():.3f}"
            if name != "supervised" and "supervised" in scores:
                gap = mine - np.asarray(scores["supervised"][k])
                error = gap.std(ddof=1) / np.sqrt(gap.size) if gap.size > 1 else float("nan")
                cell += f" ({gap.mean():+.3f} ± {error:.3f})"
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells)
              + f" | {np.mean(seconds[name]):.0f} | {np.mean(used[name]):.0%} |")


if __name__ == "__main__":
    main()
