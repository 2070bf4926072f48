"""How far a label-efficiency figure could move with other seeds: a bootstrap over seeds.

"1.53× fewer labels than random" is read off two mean curves crossing one line, and with five
or ten seeds that crossing point moves a lot (the README's shortlist table shows 94 to 113
labels between neighbouring settings). Resampling the seeds with replacement, the same seeds
for the strategy, for random and for the full-data model (they were paired in the run), and
reading the crossing again each time gives the interval a claim should carry. Numpy only.

A curve that never reaches the target within the run counts as needing infinitely many
labels, so an interval can honestly say "at least" (random never got there) or "at most" (the
strategy never did); the percentiles are order statistics, which infinities do not disturb.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from alstudio.evaluation.curves import labels_to_reach

DEFAULT_RESAMPLES = 2000


@dataclass(frozen=True)
class EfficiencyInterval:
    """Label efficiency against random: the run's own figure and its bootstrap interval.

    ``low``/``high`` may be 0 (the strategy never reached the target in that share of
    resamples) or ``inf`` (random never did); ``reached`` is the share of resamples in which
    the strategy reached it.
    """

    value: float | None
    low: float
    high: float
    reached: float
    resamples: int

    def bounds(self) -> str:
        """The interval alone, e.g. ``1.10×–2.31×`` (``∞`` where random never got there)."""
        def fmt(v: float) -> str:
            return "∞" if math.isinf(v) else f"{v:.2f}×"
        return f"{fmt(self.low)}–{fmt(self.high)}"

    def describe(self) -> str:
        """One phrase for a table cell, e.g. ``1.53× (95% interval 1.10×–2.31×)``."""
        head = "not reached" if self.value is None else f"{self.value:.2f}×"
        return f"{head} (95% interval {self.bounds()})"


def _labels(budgets: list[int], curve: np.ndarray, target: float) -> float:
    reached = labels_to_reach(budgets, [float(v) for v in curve], target)
    return math.inf if reached is None else reached


def _ratio(random_labels: float, strategy_labels: float) -> float:
    if math.isinf(strategy_labels):
        return math.inf if math.isinf(random_labels) else 0.0
    return random_labels / strategy_labels


def efficiency_interval(result: Mapping[str, Any], strategy: str,
                        metric: str = "balanced_accuracy", *, share: float = 0.95,
                        resamples: int = DEFAULT_RESAMPLES, level: float = 0.95,
                        seed: int = 0) -> EfficiencyInterval:
    """Bootstrap ``strategy``'s label efficiency over the seeds of a simulator result.

    Each resample draws as many seeds as the run had, with replacement, and applies the
    simulator's own reading (mean curves, 95% of the mean full-data metric, linear
    interpolation) to that draw. When neither curve reaches the target, the draw counts as
    no saving (1×): both needed more labels than the run gave them.
    """
    ours = np.asarray(result["curves"][strategy][metric], dtype=np.float64)
    theirs = np.asarray(result["curves"]["random"][metric], dtype=np.float64)
    full = np.asarray(result["full_data"][metric]["per_seed"], dtype=np.float64)
    budgets = [int(b) for b in result["budgets"]]
    if ours.shape != theirs.shape or ours.shape[0] != full.size:
        raise ValueError("the result's curves and full-data runs disagree on the seeds")
    rng = np.random.default_rng(seed)
    ratios = np.empty(resamples)
    reached = 0
    with np.errstate(invalid="ignore"):
        for r in range(resamples):
            draw = rng.integers(0, full.size, full.size)
            target = share * float(np.nanmean(full[draw]))
            mine = _labels(budgets, np.nanmean(ours[draw], axis=0), target)
            base = _labels(budgets, np.nanmean(theirs[draw], axis=0), target)
            reached += not math.isinf(mine)
            ratios[r] = 1.0 if math.isinf(mine) and math.isinf(base) else _ratio(base, mine)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(ratios, [tail, 1.0 - tail], method="inverted_cdf")
    summary = result.get("summary", {}).get(strategy, {}).get(metric, {})
    return EfficiencyInterval(value=summary.get("label_efficiency"), low=float(low),
                              high=float(high), reached=reached / resamples,
                              resamples=resamples)
