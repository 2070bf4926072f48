"""Paired comparisons over seeds: is a strategy behind random, or ahead of the default?

Every strategy in a simulation starts each seed from the same initial labels, so the
per-seed differences are paired: their spread, not the two curves' spreads, says whether a
gap is more than noise. These are the floor the default must keep ("never below random
beyond one standard error at any budget"), how often a strategy equal to random would be
flagged by that floor anyway, and a candidate's area under the curve against the default's.
Numpy only: the ablation script, the seed merger and a notebook read results the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from alstudio.selection.catalogue import DEFAULT_STRATEGY


def below_random(result: Mapping[str, Any], tried: str) -> list[int]:
    """Budgets where ``tried`` trails random by more than one standard error of the paired
    difference over seeds (both start from the same labels each seed): the default's floor."""
    ours = np.asarray(result["curves"][tried]["balanced_accuracy"], dtype=float)
    theirs = np.asarray(result["curves"]["random"]["balanced_accuracy"], dtype=float)
    diff = ours - theirs
    n = diff.shape[0]
    se = diff.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(diff.shape[1])
    return [b for b, m, e in zip(result["budgets"], diff.mean(axis=0), se, strict=True)
            if m < -e]


def flags_by_chance(result: Mapping[str, Any], tried: str) -> tuple[float, float]:
    """How often a strategy *equal* to random would still be flagged by :func:`below_random`:
    over the 2^seeds sign flips of the per-seed differences (exact, no sampling), the share
    flagged at one budget or more, and the share flagged at as many budgets as ``tried`` was,
    or more. With 5 seeds a tie trails by > 1 SE at a given budget about 19% of the time
    (Student's t, 4 degrees of freedom), so over 14 budgets the floor catches most ties: the
    flags are read against these two figures."""
    ours = np.asarray(result["curves"][tried]["balanced_accuracy"], dtype=float)
    theirs = np.asarray(result["curves"]["random"]["balanced_accuracy"], dtype=float)
    diff = ours - theirs
    n = diff.shape[0]
    seen = len(below_random(result, tried))
    counts = []
    for pattern in range(2 ** n):
        signs = np.array([1.0 if pattern >> i & 1 else -1.0 for i in range(n)])[:, None]
        flipped = diff * signs
        se = flipped.std(axis=0, ddof=1) / np.sqrt(n)
        counts.append(int((flipped.mean(axis=0) < -se).sum()))
    flips = np.asarray(counts)
    return float((flips >= 1).mean()), float((flips >= max(1, seen)).mean())


def paired_aulc_gain(result: Mapping[str, Any], today: Mapping[str, Any], *,
                     tried: str | None = None,
                     baseline: str = DEFAULT_STRATEGY) -> tuple[float, float]:
    """The tried strategy's area under the curve minus today's default's, per seed (both start
    from the same labels each seed), as mean and standard error over seeds: whether a
    candidate beats the default itself, not only random. Budget 20 is left out (identical)."""
    tried = tried or result["config"]["strategies"][-1]
    ours = np.asarray(result["curves"][tried]["balanced_accuracy"], dtype=float)[:, 1:]
    base = np.asarray(today["curves"][baseline]["balanced_accuracy"], dtype=float)
    gain = ours.mean(axis=1) - base[:, 1:].mean(axis=1)
    return float(gain.mean()), float(gain.std(ddof=1) / np.sqrt(gain.size))
