"""Top-k of a score vector in O(N), with ties broken by pool index.

``np.argpartition`` is linear where a full sort is N log N, but which of several equal scores
it keeps at the boundary is an implementation detail. We keep everything strictly above the
k-th value and fill up with the *lowest-index* items equal to it, so the same scores always
give the same picks on every machine and numpy version.
"""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int, candidates: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` highest ``scores`` (restricted to ``candidates``), best first.

    Ties are broken by lower index. NaN scores count as lowest. ``scores`` is not modified.
    """
    s = scores
    if candidates is not None and not candidates.all():
        s = np.where(candidates, scores, -np.inf)
        n_ok = int(np.count_nonzero(candidates))
    else:
        n_ok = s.shape[0]
    k = min(k, n_ok)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if np.isnan(s).any():
        s = np.where(np.isnan(s), -np.inf, s)
    if k < s.shape[0]:
        part = np.argpartition(s, s.shape[0] - k)[s.shape[0] - k:]
        kth = s[part].min()
        above = np.flatnonzero(s > kth)
        equal = np.flatnonzero(s == kth)
        if candidates is not None:
            equal = equal[candidates[equal]]
        idx = np.concatenate([above, equal[: k - above.shape[0]]])
    else:
        idx = np.arange(s.shape[0])
        if candidates is not None:
            idx = idx[candidates]
    order = np.lexsort((idx, -s[idx].astype(np.float64)))
    return idx[order].astype(np.int64)


def fmt(x: float) -> str:
    """Three significant digits, the precision a reason string needs."""
    if not np.isfinite(x):
        return str(x)
    return f"{x:.3g}"
