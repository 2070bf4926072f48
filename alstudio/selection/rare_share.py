"""A class-aware share of a batch: part of it from the items most likely to be the rarest class.

Screening pools hold a finding at a few percent. Uncertainty strategies find it only once the
model is unsure about it, which can take several rounds; reserving a share of each batch for
the candidates the model ranks most likely to be the class with the fewest labels so far
(Ertekin et al. 2007; Kothawade et al. 2021 on rare-class active learning) spends a few labels
on likely positives every round. The rest of the batch is chosen as usual.
"""

from __future__ import annotations

import math

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.selection.pool import Pool
from alstudio.selection.ranking import top_k


def rarest_class(pool: Pool) -> int:
    """The class with the fewest labels so far (ties: the lower class id); without labels,
    the class with the lowest mean predicted probability over the pool."""
    assert pool.probs is not None
    classes = pool.probs.shape[1]
    if pool.labels is not None and pool.labeled.any():
        known = pool.labels[pool.labeled]
        counts = np.bincount(known[(known >= 0) & (known < classes)], minlength=classes)
        return int(np.argmin(counts))
    return int(np.argmin(pool.probs.mean(axis=0)))


def rare_picks(pool: Pool, k: int, share: float) -> tuple[np.ndarray, int]:
    """(``ceil(share * k)`` candidates most likely to be the rarest class, that class)."""
    if not 0.0 <= share <= 1.0:
        raise AlstudioError(f"rare_share must be between 0 and 1, got {share}.",
                            hint="It is the share of the batch taken for the rarest class.")
    assert pool.probs is not None
    target = rarest_class(pool)
    count = min(k, math.ceil(share * k - 1e-9))
    if count <= 0:
        return np.empty(0, dtype=np.int64), target
    return top_k(pool.probs[:, target].astype(np.float64), count, pool.candidates), target
