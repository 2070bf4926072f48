"""Learning curves and label efficiency, following the evaluation protocol.

Pure numpy over plain numbers, so the simulator, the GUI dashboard and a user's notebook all
judge strategies the same way: mean and spread per budget across seeds, the area under the
learning curve, and the labels a strategy needs to reach 95% of the full-data metric compared
with the labels random sampling needs ("label efficiency").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CurveSummary:
    budgets: list[int]
    mean: list[float]
    std: list[float]
    seeds: int


def summarise(curves_by_seed: Sequence[Sequence[float]], budgets: Sequence[int]) -> CurveSummary:
    """Mean and (population) standard deviation across seeds at each budget.

    NaN values (an AUC undefined on a degenerate test set) are ignored per budget.
    """
    values = np.asarray(curves_by_seed, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(budgets):
        raise ValueError("every seed's curve needs one value per budget")
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(values, axis=0) if values.size else np.full(len(budgets), np.nan)
        std = np.nanstd(values, axis=0) if values.size else np.full(len(budgets), np.nan)
    return CurveSummary(list(map(int, budgets)), [float(v) for v in mean],
                        [float(v) for v in std], int(values.shape[0]))


def area_under_curve(budgets: Sequence[int], values: Sequence[float]) -> float:
    """Trapezoidal area under the curve divided by the budget range: a mean metric over the
    whole labeling effort, comparable between runs with the same budgets."""
    b = np.asarray(budgets, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if len(b) < 2 or np.isnan(v).any():
        return float(v.mean()) if len(v) and not np.isnan(v).any() else math.nan
    return float(np.sum((v[1:] + v[:-1]) * np.diff(b)) / 2.0 / (b[-1] - b[0]))


def labels_to_reach(budgets: Sequence[int], values: Sequence[float],
                    target: float) -> float | None:
    """Labels at which the curve first reaches ``target``, interpolating linearly between
    budgets; ``None`` when it never gets there within the budgets run."""
    for i, (budget, value) in enumerate(zip(budgets, values, strict=True)):
        if math.isnan(value) or value < target:
            continue
        if i == 0:
            return float(budget)
        b0, v0 = budgets[i - 1], values[i - 1]
        if math.isnan(v0):
            return float(budget)
        return float(b0 + (target - v0) * (budget - b0) / (value - v0))
    return None


def label_efficiency(random_labels: float | None, strategy_labels: float | None) -> float | None:
    """How many times fewer labels than random the strategy needs (>1 = it saves labels).

    ``None`` when either never reached the target; the note then says "not reached".
    """
    if random_labels is None or strategy_labels is None or strategy_labels <= 0:
        return None
    return float(random_labels / strategy_labels)


def largest_drop(values: Sequence[float]) -> float:
    """The largest fall of the mean curve between neighbouring budgets (0 if it never falls):
    adding labels should not make the model worse by more than noise."""
    v = np.asarray(values, dtype=np.float64)
    if len(v) < 2:
        return 0.0
    drops = v[:-1] - v[1:]
    return float(max(0.0, np.nanmax(drops)))


def compare_to_random(summaries: Mapping[str, CurveSummary], reference: float,
                      share: float = 0.95) -> dict[str, dict[str, float | None]]:
    """Per strategy: labels to reach ``share`` x ``reference``, efficiency vs random, AULC,
    final spread and the largest drop, as the simulator's summary prints them."""
    target = share * reference
    reached = {name: labels_to_reach(s.budgets, s.mean, target) for name, s in summaries.items()}
    random_labels = reached.get("random")
    return {
        name: {
            "labels_to_target": reached[name],
            "label_efficiency": label_efficiency(random_labels, reached[name]),
            "aulc": area_under_curve(s.budgets, s.mean),
            "final_mean": s.mean[-1] if s.mean else None,
            "final_std": s.std[-1] if s.std else None,
            "largest_drop": largest_drop(s.mean),
        }
        for name, s in summaries.items()
    }


def positives_per_100(positives_by_seed: Sequence[Sequence[float]],
                      budgets: Sequence[int]) -> dict[str, list[float] | float]:
    """Rare-class items found per 100 labels, per budget (mean over seeds) and overall.

    ``positives_by_seed[s][i]`` counts the rare-class items among the first ``budgets[i]``
    labels of seed ``s``. ``per_budget`` is 100 x that count / the budget; ``found`` is the
    mean count at the last budget and ``final`` its rate per 100 labels.
    """
    counts = np.asarray(positives_by_seed, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[1] != len(budgets):
        raise ValueError("every seed's positives need one count per budget")
    mean = counts.mean(axis=0)
    rate = 100.0 * mean / np.asarray(budgets, dtype=np.float64)
    return {"per_budget": [float(v) for v in rate], "found": float(mean[-1]),
            "final": float(rate[-1])}


def simulation_summary(strategies: Sequence[str], budgets: Sequence[int],
                       full: Mapping[str, Sequence[float]],
                       curves: Mapping[str, Mapping[str, Sequence[Sequence[float]]]],
                       metrics: Sequence[str], rare: bool) -> dict[str, dict[str, object]]:
    """The simulator's ``summary`` block from its per-seed curves alone.

    One function for a fresh run and for runs merged over more seeds, so a merged file's
    figures are exactly those a single run of all its seeds would print.
    """
    summary: dict[str, dict[str, object]] = {s: {} for s in strategies}
    for metric in metrics:
        summaries = {s: summarise(curves[s][metric], budgets) for s in strategies}
        compared = compare_to_random(summaries, float(np.mean(full[metric])))
        for strategy, s in summaries.items():
            summary[strategy][metric] = {"mean": s.mean, "std": s.std, **compared[strategy]}
    if rare:  # how fast each strategy finds the rare class
        for strategy in strategies:
            summary[strategy]["positives"] = positives_per_100(curves[strategy]["positives"],
                                                               budgets)
    return summary


def json_ready(value: Any) -> Any:
    """NaN and infinities become None, so the result is strict JSON any tool can read."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
