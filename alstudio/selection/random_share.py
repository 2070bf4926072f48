"""A uniform share of a batch: part of it drawn at random from the pool.

Uncertainty picks are a biased sample on purpose, and on a noisy, ordinal task (retinopathy
grades, where neighbouring grades are confused by the readers themselves) they keep buying
the boundary cases the labels cannot settle, so a later model can fall behind plain random
sampling. Mixing a random share into every batch (the epsilon-greedy guard of Bouneffouf et
al. 2014 and of Hsu & Lin's "active learning by learning", 2015) keeps part of the labeled set
an unbiased sample of the pool: the validation split that picks the checkpoint and calibrates
it then sees the pool's real mix, and the strategy cannot fall far below random. The rest of
the batch is chosen as usual.
"""

from __future__ import annotations

import math

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.selection.base import RunContext
from alstudio.selection.pool import Pool


def random_picks(pool: Pool, k: int, share: float, ctx: RunContext,
                 taken: np.ndarray) -> np.ndarray:
    """``ceil(share * k)`` candidates drawn uniformly with the run's seed, leaving out
    ``taken`` (picks another share already made)."""
    if not 0.0 <= share <= 1.0:
        raise AlstudioError(f"random_share must be between 0 and 1, got {share}.",
                            hint="It is the share of the batch drawn at random from the pool.")
    count = min(k, math.ceil(share * k - 1e-9))
    if count <= 0:  # the usual case: no share, and no pass over the pool
        return np.empty(0, dtype=np.int64)
    free = pool.candidates.copy()
    free[taken] = False
    choices = np.flatnonzero(free)
    count = min(count, choices.size)
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    return np.sort(ctx.rng().choice(choices, size=count, replace=False)).astype(np.int64)
