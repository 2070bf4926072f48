"""When more labels stop paying: the stopping rule of a project's learning curve.

The rule: the least-squares slope of the test metric (balanced accuracy) against labels over
the last :data:`DEFAULT_WINDOW` evaluated rounds, in points (hundredths) per 100 labels. At or
above the user's threshold (default :data:`DEFAULT_THRESHOLD`, 0.5 points per 100 labels) the
advice is "keep going"; below it, "diminishing returns". The test set's own noise (the
bootstrap spread of the latest round) is shown beside the numbers, because a slope fitted to
three noisy points is a hint, not a verdict. Without a labeled test split nothing can be
measured and the advice says how to add one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_WINDOW = 3
DEFAULT_THRESHOLD = 0.5  # points of balanced accuracy per 100 labels

KEEP_GOING = "keep_going"
DIMINISHING = "diminishing_returns"
TOO_FEW_ROUNDS = "too_few_rounds"
NO_TEST_SPLIT = "no_test_split"

HOW_TO_ADD_TEST = ("Import held-out scans with `alstudio import PROJECT FOLDER --split test` "
                   "and label them (test items are never queued); every round then scores "
                   "its model on them.")


@dataclass(frozen=True)
class Point:
    """One evaluated round: labels it trained on and its test metric (0..1)."""

    labels: int
    value: float


def gain_per_100(points: Sequence[Point]) -> float:
    """Least-squares slope of ``value`` against ``labels``, in points per 100 labels.

    ``value`` is a fraction (0.81), a point is a hundredth (0.01), so a slope of 0.0001 per
    label is 1 point per 100 labels. Needs at least two distinct label counts.
    """
    x = np.array([p.labels for p in points], dtype=np.float64)
    y = np.array([p.value for p in points], dtype=np.float64)
    if x.size < 2 or np.ptp(x) == 0:
        raise ValueError("a slope needs two rounds at different label counts")
    slope = np.polyfit(x, y, 1)[0]
    return float(slope * 100.0 * 100.0)


def stopping_advice(points: Sequence[Point], *, threshold: float = DEFAULT_THRESHOLD,
                    window: int = DEFAULT_WINDOW, has_test: bool = True,
                    noise: float | None = None, labeled: int = 0,
                    budget: int | None = None) -> dict[str, object]:
    """The advice as the report shows it: a status, the numbers behind it and one sentence.

    ``points`` are the evaluated rounds in order; ``noise`` the bootstrap standard deviation
    of the latest one; ``budget`` the project's label budget (``None``: none set).
    """
    remaining = None if not budget else max(0, budget - labeled)
    base: dict[str, object] = {
        "metric": "balanced_accuracy", "rule": f"least-squares slope over the last {window} "
        "evaluated rounds", "window": window, "threshold_points_per_100": threshold,
        "labeled": labeled, "budget": budget or None, "remaining_budget": remaining,
    }
    if not has_test:
        return {**base, "status": NO_TEST_SPLIT, "gain_points_per_100": None,
                "rounds_used": [], "text": "No stopping advice can be given: the project has "
                "no labeled test split to measure the model on. " + HOW_TO_ADD_TEST}
    last = list(points)[-window:]
    if len(last) < 2 or len({p.labels for p in last}) < 2:
        return {**base, "status": TOO_FEW_ROUNDS, "gain_points_per_100": None,
                "rounds_used": [p.labels for p in last],
                "text": "Keep going: at least two evaluated rounds at different label counts "
                        "are needed before the curve's slope can be judged."}
    gain = gain_per_100(last)
    # compared at the precision shown, so 0.99999 from float rounding counts as 1.00
    status = KEEP_GOING if round(gain, 6) >= threshold else DIMINISHING
    span = f"{last[0].labels}-{last[-1].labels} labels"
    noise_text = (f" The latest value has a bootstrap spread of ±{100 * noise:.1f} points, so "
                  "the slope over a few rounds is a hint, not a verdict." if noise else "")
    verdict = "Keep going" if status == KEEP_GOING else "Diminishing returns"
    budget_text = (f" {remaining} label(s) of the budget of {budget} remain." if remaining
                   is not None else "")
    text = (f"{verdict}: balanced accuracy gained {gain:+.2f} points per 100 labels over "
            f"the last {len(last)} rounds ({span}); threshold {threshold:.2f}."
            f"{noise_text}{budget_text}")
    return {**base, "status": status, "gain_points_per_100": round(gain, 3),
            "rounds_used": [p.labels for p in last], "noise_std": noise, "text": text}
