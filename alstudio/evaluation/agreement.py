"""Agreement statistics between readers: Fleiss' kappa, Krippendorff's alpha, percent
agreement and Cohen's kappa, with seeded bootstrap intervals. Pure numpy.

Reads arrive as an ``(items, readers)`` matrix of class indices, ``MISSING`` (-1) where a
reader gave no class (did not read the item, skipped it or was unsure). Skip and unsure are
decisions, not classes, so they never count as a category here: an item a reader skipped is,
for these statistics, an item that reader did not read. (The report counts them per reader.)

Each multi-reader statistic is computed from per-item *category counts* ``(items, classes)``:

* **percent agreement**: the mean, over items with two or more class reads, of the share of
  reader pairs on the item that gave the same class (Fleiss's ``P_i``);
* **Fleiss' kappa** (Fleiss 1971) assumes the same number of ratings on every item, so it uses
  the items carrying the most common number of class reads (two at least; on a tie the larger
  number wins); the report says how many items that is and with how many reads each.
  Different items may have different readers, as in Fleiss's own design;
* **Krippendorff's alpha** (nominal) uses every item with two or more class reads: it is the
  statistic made for incomplete designs.

Where a statistic is undefined (one class only, so the agreement expected by chance is 1;
fewer than two pairable items), it is ``nan``; the JSON report writes ``null``.

The bootstrap resamples items (with replacement) among the items with two or more class reads,
``replicates`` times from ``numpy.random.default_rng(seed)``, and gives the 2.5th and 97.5th
percentiles. Every statistic is written as a weighted sum over items, so one replicate is a
matrix product, not a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MISSING = -1
DEFAULT_REPLICATES = 1000
_CHUNK = 100  # bootstrap replicates per matrix product


@dataclass(frozen=True)
class Estimate:
    """A statistic with its bootstrap interval and the number of items it rests on."""

    value: float
    low: float
    high: float
    n_items: int

    def as_json(self) -> dict[str, float | int | None]:
        """``nan`` becomes ``None`` so the JSON stays valid."""
        return {"value": _clean(self.value), "ci_low": _clean(self.low),
                "ci_high": _clean(self.high), "n_items": self.n_items}


def _clean(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 4)


def category_counts(matrix: np.ndarray, n_classes: int) -> np.ndarray:
    """``(items, classes)`` counts of class reads per item; ``MISSING`` cells are ignored."""
    matrix = np.asarray(matrix, dtype=np.int64)
    counts = np.zeros((matrix.shape[0], n_classes), dtype=np.float64)
    rows, cols = np.nonzero(matrix != MISSING)
    np.add.at(counts, (rows, matrix[rows, cols]), 1.0)
    return counts


def fleiss_items(counts: np.ndarray) -> tuple[np.ndarray, int]:
    """Which items Fleiss' kappa uses: those with the most common number of reads (>= 2)."""
    m = counts.sum(axis=1).astype(np.int64)
    sizes = m[m >= 2]
    if sizes.size == 0:
        return np.zeros(len(m), dtype=bool), 0
    values, freq = np.unique(sizes, return_counts=True)
    size = int(values[freq == freq.max()].max())
    return m == size, size


# -- statistics as weighted sums over items (weights: (B, items)) ------------------------------
def _fleiss(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1)
    if counts.shape[0] == 0 or np.any(m != m[0]) or m[0] < 2:
        return np.full(weights.shape[0], np.nan)
    p_item = (counts * (counts - 1)).sum(axis=1) / (m[0] * (m[0] - 1))
    total = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_bar = weights @ p_item / total
        p_class = weights @ counts / (total * m[0])[:, None]
        p_e = (p_class ** 2).sum(axis=1)
        kappa = (p_bar - p_e) / (1.0 - p_e)
    kappa = np.asarray(kappa, dtype=np.float64)
    kappa[np.isclose(p_e, 1.0)] = np.nan
    return kappa


def _percent(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_item = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
        return np.asarray(weights @ p_item / weights.sum(axis=1), dtype=np.float64)


def _alpha(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1)
    k = counts.shape[1]
    # each unit's coincidences: o_ck = (n_c n_k - [c == k] n_c) / (m - 1)
    pairs = counts[:, :, None] * counts[:, None, :]
    pairs[:, np.arange(k), np.arange(k)] -= counts
    per_unit = (pairs / (m - 1)[:, None, None]).reshape(len(m), k * k)
    o = (weights @ per_unit).reshape(-1, k, k)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    observed = n - np.trace(o, axis1=1, axis2=2)
    expected = (n ** 2 - (n_c ** 2).sum(axis=1)) / np.maximum(n - 1, 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.asarray(1.0 - observed / expected, dtype=np.float64)
    alpha[np.isclose(expected, 0.0)] = np.nan
    return alpha


def _point(stat: np.ndarray) -> float:
    return float(stat[0])


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa of ``(items, classes)`` counts with equal row sums."""
    counts = np.asarray(counts, dtype=np.float64)
    sums = counts.sum(axis=1)
    if sums.size and np.any(sums != sums[0]):
        raise ValueError("Fleiss' kappa needs the same number of ratings on every item; "
                         "select the items with fleiss_items() first.")
    return _point(_fleiss(counts, np.ones((1, counts.shape[0]))))


def krippendorff_alpha(counts: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of ``(items, classes)`` counts; rows may differ in sum,
    items with fewer than two values are not pairable and drop out."""
    counts = np.asarray(counts, dtype=np.float64)
    counts = counts[counts.sum(axis=1) >= 2]
    if counts.shape[0] == 0:
        return float("nan")
    return _point(_alpha(counts, np.ones((1, counts.shape[0]))))


def percent_agreement(counts: np.ndarray) -> float:
    """Mean share of agreeing reader pairs per item, over items with two or more reads."""
    counts = np.asarray(counts, dtype=np.float64)
    counts = counts[counts.sum(axis=1) >= 2]
    if counts.shape[0] == 0:
        return float("nan")
    return _point(_percent(counts, np.ones((1, counts.shape[0]))))


def confusion(a: np.ndarray, b: np.ndarray, n_classes: int) -> np.ndarray:
    """``out[i, j]``: items reader ``a`` called class ``i`` and reader ``b`` class ``j``."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    both = (a != MISSING) & (b != MISSING)
    flat = np.bincount(a[both] * n_classes + b[both], minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def cohen_kappa_from_confusion(table: np.ndarray) -> float:
    """Cohen's kappa of a square confusion table; ``nan`` when chance agreement is 1."""
    table = np.asarray(table, dtype=np.float64)
    n = table.sum()
    if n == 0:
        return float("nan")
    observed = np.trace(table) / n
    expected = float((table.sum(axis=1) * table.sum(axis=0)).sum() / n ** 2)
    if np.isclose(expected, 1.0):
        return float("nan")
    return float((observed - expected) / (1.0 - expected))


def cohen_kappa(a: np.ndarray, b: np.ndarray, n_classes: int) -> float:
    """Cohen's kappa of two readers over the items both gave a class."""
    return cohen_kappa_from_confusion(confusion(a, b, n_classes))


# -- bootstrap ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reliability:
    """The three multi-reader statistics and which items Fleiss' kappa used."""

    fleiss_kappa: Estimate
    krippendorff_alpha: Estimate
    percent_agreement: Estimate
    fleiss_reads_per_item: int


def reliability(counts: np.ndarray, replicates: int = DEFAULT_REPLICATES,
                seed: int = 0) -> Reliability:
    """Fleiss, alpha and percent agreement with bootstrap intervals over items."""
    counts = np.asarray(counts, dtype=np.float64)
    counts = counts[counts.sum(axis=1) >= 2]
    n = counts.shape[0]
    fleiss_mask, size = fleiss_items(counts)
    stats: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "fleiss": (lambda w: _fleiss(counts[fleiss_mask], w[:, fleiss_mask])),
        "alpha": (lambda w: _alpha(counts, w)),
        "percent": (lambda w: _percent(counts, w)),
    }
    if n == 0:
        empty = Estimate(float("nan"), float("nan"), float("nan"), 0)
        return Reliability(empty, empty, empty, 0)
    points = {name: _point(f(np.ones((1, n)))) for name, f in stats.items()}
    draws: dict[str, list[np.ndarray]] = {name: [] for name in stats}
    rng = np.random.default_rng(seed)
    for start in range(0, replicates, _CHUNK):
        b = min(_CHUNK, replicates - start)
        picks = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        weights = np.bincount(picks.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)
        for name, f in stats.items():
            draws[name].append(f(weights))

    def estimate(name: str, n_items: int) -> Estimate:
        values = np.concatenate(draws[name]) if draws[name] else np.empty(0)
        values = values[np.isfinite(values)]
        if values.size == 0 or not np.isfinite(points[name]):
            return Estimate(points[name], float("nan"), float("nan"), n_items)
        low, high = np.percentile(values, [2.5, 97.5])
        return Estimate(points[name], float(low), float(high), n_items)

    return Reliability(fleiss_kappa=estimate("fleiss", int(fleiss_mask.sum())),
                       krippendorff_alpha=estimate("alpha", n),
                       percent_agreement=estimate("percent", n),
                       fleiss_reads_per_item=size)
