"""The random baseline of a project: would the same labels, taken in random order, have done
as well?

A project's learning curve alone cannot say whether the strategy saved labels. The baseline
retrains the same recipe on random subsets of the labeled set at the label counts of the
project's rounds (nested: each seed draws one random order of the labeled items and takes its
first n, as random sampling would have grown the set), scores each model on the test split,
and the band across a few seeds is drawn beside the curve. Label efficiency follows the
evaluation protocol: labels random needs to reach 95% of the project's best balanced
accuracy / labels the project needed, interpolated linearly between label counts.

The subsets come from the labeled set, which the strategy chose, so at the last count random
and the project train on the very same items: the baseline measures the *order* of labeling,
the honest question a running project can answer without labels it does not have.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from alstudio.evaluation.curves import labels_to_reach
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.project.timeutil import utc_now

#: The project ``meta`` key the baseline is stored under (JSON).
BASELINE_META_KEY = "random_baseline"
DEFAULT_SEEDS = 3
TARGET_SHARE = 0.95


def random_baseline(x_labeled: Any, y_labeled: np.ndarray, x_test: Any, y_test: np.ndarray,
                    sizes: Sequence[int], seeds: int, num_classes: int, train_config: Any,
                    *, progress: ProgressCallback | None = None,
                    cancel: CancelToken | None = None) -> dict[str, Any]:
    """Per seed and size, balanced accuracy and AUC on the test split of the recipe
    ``train_config`` (a :class:`~alstudio.learning.training.TrainConfig`) trained on a random
    subset of ``x_labeled``. A subset with one class only cannot train: its values are
    ``None``. Checks ``cancel`` between trainings (and the trainer within each)."""
    from dataclasses import replace

    from alstudio.learning.inference import predict
    from alstudio.learning.metrics import classification_summary
    from alstudio.learning.training import train_model

    started = time.monotonic()
    y = np.asarray(y_labeled, dtype=np.int64)
    sizes = sorted({int(s) for s in sizes if 2 <= int(s) <= y.size})
    curves: dict[str, list[list[float | None]]] = {"balanced_accuracy": [], "auc": []}
    total, done = seeds * len(sizes), 0
    for seed in range(seeds):
        order = np.random.default_rng(10_000 + seed).permutation(y.size)
        ba_row: list[float | None] = []
        auc_row: list[float | None] = []
        for size in sizes:
            check(cancel)
            report(progress, "random baseline", done, total, f"seed {seed + 1}, {size} labels")
            subset = np.sort(order[:size])
            if np.unique(y[subset]).size < 2:
                ba_row.append(None)
                auc_row.append(None)
            else:
                trained = train_model(x_labeled[subset], y[subset], num_classes,
                                      replace(train_config, seed=seed), cancel=cancel)
                probs = predict(trained.model, x_test, cancel=cancel).probs
                summary = classification_summary(y_test, probs)
                ba_row.append(_clean(summary["balanced_accuracy"]))
                auc_row.append(_clean(summary["auc"]))
            done += 1
        curves["balanced_accuracy"].append(ba_row)
        curves["auc"].append(auc_row)
    report(progress, "random baseline", total, total, "done")
    return {"computed_at": utc_now(), "seeds": seeds, "sizes": sizes,
            "labeled_items": int(y.size), "test_items": len(y_test),
            "per_seed": curves, "seconds": round(time.monotonic() - started, 1)}


def band(per_seed: Sequence[Sequence[float | None]]) -> dict[str, list[float | None]]:
    """Mean and standard deviation across seeds at each size (undefined values left out)."""
    mean: list[float | None] = []
    std: list[float | None] = []
    for column in zip(*per_seed, strict=True):
        values = [v for v in column if v is not None]
        mean.append(round(float(np.mean(values)), 4) if values else None)
        std.append(round(float(np.std(values)), 4) if values else None)
    return {"mean": mean, "std": std}


def label_efficiency_estimate(project_labels: Sequence[int], project_values: Sequence[float],
                              random_sizes: Sequence[int],
                              random_mean: Sequence[float | None],
                              share: float = TARGET_SHARE) -> dict[str, Any]:
    """Labels each curve needs to reach ``share`` of the project's best value, and their
    ratio (random / project: above 1 the strategy saved labels).

    When random never gets there within its label counts the ratio is "not reached", and the
    lower bound (random's largest count / the project's labels) is given instead.
    """
    if not project_values:
        return {"target": None, "project_labels": None, "random_labels": None,
                "efficiency": None, "at_least": None, "text": "no evaluated rounds"}
    best = max(project_values)
    target = share * best
    mine = labels_to_reach(list(project_labels), list(project_values), target)
    rnd_sizes = [s for s, v in zip(random_sizes, random_mean, strict=True) if v is not None]
    rnd_values = [float(v) for v in random_mean if v is not None]
    theirs = labels_to_reach(rnd_sizes, rnd_values, target) if rnd_sizes else None
    efficiency = theirs / mine if theirs is not None and mine else None
    at_least = (rnd_sizes[-1] / mine if theirs is None and mine and rnd_sizes else None)
    if efficiency is not None:
        text = (f"random sampling needs {theirs:.0f} labels to reach {target:.3f} "
                f"({100 * share:.0f}% of the best {best:.3f}); the project needed {mine:.0f}: "
                f"{efficiency:.2f}x")
    elif at_least is not None:
        text = (f"not reached: random sampling stays below {target:.3f} up to "
                f"{rnd_sizes[-1]} labels; the project needed {mine:.0f} (at least "
                f"{at_least:.2f}x)")
    else:
        text = "not reached"
    return {"metric": "balanced_accuracy", "share": share, "target": round(target, 4),
            "project_labels": _round(mine), "random_labels": _round(theirs),
            "efficiency": _round(efficiency), "at_least": _round(at_least), "text": text}


def baseline_summary(stored: Mapping[str, Any], project_labels: Sequence[int],
                     project_values: Sequence[float]) -> dict[str, Any]:
    """The stored baseline as the report shows it: band per metric and the efficiency."""
    bands = {m: band(stored["per_seed"][m]) for m in ("balanced_accuracy", "auc")}
    return {**{k: stored[k] for k in ("computed_at", "seeds", "sizes", "labeled_items",
                                      "test_items", "seconds") if k in stored},
            "band": bands, "per_seed": stored["per_seed"],
            "efficiency": label_efficiency_estimate(
                project_labels, project_values, stored["sizes"],
                bands["balanced_accuracy"]["mean"])}


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)
