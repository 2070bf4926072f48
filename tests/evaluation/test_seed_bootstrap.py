"""The bootstrap over seeds puts an honest interval around a label-efficiency figure."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from alstudio.evaluation.curves import simulation_summary
from alstudio.evaluation.seed_bootstrap import efficiency_interval

BUDGETS = [20, 40, 60, 80, 100]
COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "benchmarks"


def _result(random: np.ndarray, tried: np.ndarray, full: list[float]) -> dict[str, Any]:
    curves = {"random": {"balanced_accuracy": random.tolist()},
              "tried": {"balanced_accuracy": tried.tolist()}}
    fulls = {"balanced_accuracy": full}
    return {"budgets": BUDGETS, "curves": curves,
            "full_data": {"balanced_accuracy": {"per_seed": full}},
            "summary": simulation_summary(["random", "tried"], BUDGETS, fulls, curves,
                                          ["balanced_accuracy"], rare=False)}


def test_a_copy_of_random_saves_nothing_and_a_faster_curve_saves_its_ratio() -> None:
    rng = np.random.default_rng(1)
    base = np.linspace(0.5, 0.9, 5)
    random = base + rng.normal(0, 0.01, (8, 5))
    same = _result(random, random.copy(), [0.9] * 8)
    interval = efficiency_interval(same, "tried")
    assert interval.value == 1.0 and interval.low == interval.high == 1.0

    # twice as fast: the tried curve at budget b equals random's at 2b (linear here)
    fast = np.interp(2 * np.asarray(BUDGETS), BUDGETS, base) + rng.normal(0, 0.01, (8, 5))
    quicker = _result(random, fast, [0.9] * 8)
    interval = efficiency_interval(quicker, "tried", resamples=500)
    assert interval.low <= interval.value <= interval.high  # type: ignore[operator]
    assert interval.low > 1.5 and interval.high < 3.0 and interval.reached == 1.0


def test_curves_that_never_reach_the_target_give_open_ended_intervals() -> None:
    rising = np.tile(np.linspace(0.5, 0.9, 5), (6, 1))
    flat = np.full((6, 5), 0.6)
    never = _result(rising, flat, [0.9] * 6)  # the tried strategy never reaches 0.855
    interval = efficiency_interval(never, "tried")
    assert interval.value is None and interval.high == 0.0 and interval.reached == 0.0
    beats = _result(flat, rising, [0.9] * 6)  # random never does
    interval = efficiency_interval(beats, "tried")
    assert math.isinf(interval.low) and "∞" in interval.describe()


def test_the_committed_breastmnist_figures_carry_a_wide_interval() -> None:
    """The README's 1.53× for the default with a rare class, five seeds: the interval shows
    how little five seeds pin it down, and it holds the figure itself."""
    result = json.loads((COMMITTED / "breastmnist-rare.json").read_text())
    interval = efficiency_interval(result, "coreset_uncertainty")
    assert round(interval.value or 0, 2) == 1.53
    assert interval.low < 1.53 < interval.high
    assert interval.describe().startswith("1.53× (95% interval ")
    again = efficiency_interval(result, "coreset_uncertainty")
    assert (again.low, again.high) == (interval.low, interval.high)  # seeded: reproducible
