"""How much a test metric could move with another test set of the same size.

A round is scored on one test split of perhaps 150 scans; a jump of 0.03 balanced accuracy
between rounds may be nothing but which scans happen to be in it. Resampling the test items
with replacement (the nonparametric bootstrap) gives the spread the learning curve draws
around each point, from the predictions stored with the round, without re-running a model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from alstudio.learning.metrics import balanced_accuracy, roc_auc

#: Resamples per round: the 2.5/97.5 percentiles settle to about ±0.005 at this count.
DEFAULT_RESAMPLES = 200
METRICS = ("balanced_accuracy", "auc")


@dataclass(frozen=True)
class Spread:
    """A metric on the full test set and its bootstrap spread (``None`` where undefined)."""

    value: float | None
    std: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, float | None]:
        """The JSON form: value, std and the 95% percentile interval, rounded to 4 places."""
        return {k: None if v is None else round(v, 4)
                for k, v in (("value", self.value), ("std", self.std), ("low", self.low),
                             ("high", self.high))}


def _metric(name: str, y: np.ndarray, probs: np.ndarray) -> float:
    if name == "balanced_accuracy":
        return balanced_accuracy(y, probs.argmax(axis=1), probs.shape[1])
    return roc_auc(y, probs)


def bootstrap_metrics(y_true: np.ndarray, probs: np.ndarray, *,
                      resamples: int = DEFAULT_RESAMPLES, seed: int = 0,
                      interval: float = 0.95) -> dict[str, Spread]:
    """Balanced accuracy and AUC of ``probs`` ``(N, C)`` with their bootstrap spread.

    Each resample draws N test items with replacement (seeded, so a report is reproducible).
    A resample where a metric is undefined (AUC with one class drawn) is left out of that
    metric's spread; with fewer than two defined resamples the spread is ``None``.
    """
    y = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(probs, dtype=np.float64)
    if y.size == 0:
        return {name: Spread(None, None, None, None) for name in METRICS}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, y.size, size=(resamples, y.size))
    tail = (1.0 - interval) / 2.0
    out: dict[str, Spread] = {}
    for name in METRICS:
        value = _metric(name, y, p)
        values = np.array([_metric(name, y[d], p[d]) for d in draws])
        values = values[~np.isnan(values)]
        point = None if math.isnan(value) else float(value)
        if values.size < 2:
            out[name] = Spread(point, None, None, None)
            continue
        out[name] = Spread(point, float(values.std()), float(np.quantile(values, tail)),
                           float(np.quantile(values, 1.0 - tail)))
    return out
