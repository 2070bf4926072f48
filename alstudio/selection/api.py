"""``select()``: validate the inputs once, cap threads, run one registered strategy."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, check
from alstudio.selection.base import RunContext, Selection, get_strategy
from alstudio.selection.catalogue import DEFAULT_STRATEGY
from alstudio.selection.pool import ArrayLike, Pool


@contextlib.contextmanager
def limit_threads(threads: int | None) -> Iterator[None]:
    """Cap BLAS/OpenMP threads (threadpoolctl) and torch's intra-op threads for a block.

    torch's setting is process-wide, so it is restored afterwards; a GUI worker passes
    ``threads = cores - 1`` to leave a core for the interface.
    """
    if threads is None:
        yield
        return
    if threads < 1:
        raise AlstudioError("threads must be at least 1.")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(before)


def select(strategy: str = DEFAULT_STRATEGY, k: int = 10, *,
           probs: ArrayLike | None = None, embeddings: ArrayLike | None = None,
           committee: ArrayLike | None = None, labeled: ArrayLike | None = None,
           candidates: ArrayLike | None = None, labels: ArrayLike | None = None,
           seed: int = 0, threads: int | None = None,
           progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
           **params: Any) -> Selection:
    """Pick up to ``k`` pool items to label next with the named strategy.

    Inputs are numpy arrays or torch tensors over the same pool of N items: ``probs`` (N, C)
    softmax outputs, ``embeddings`` (N, d) penultimate features (kept on the GPU when given
    there, for the strategies that can use it), ``committee`` (M, N, C) member probabilities,
    ``labeled`` and ``candidates`` boolean masks (N,), ``labels`` (N,) class ids with -1 for
    unlabeled items. Labeled items are never picked; with ``k`` above the number of candidates
    every candidate is returned. Strategy parameters are keyword arguments (see
    ``STRATEGIES[name].parameters()``). Results are deterministic for a given ``seed``.
    """
    strat = get_strategy(strategy)
    strat.check_params(params)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise AlstudioError(f"k must be a non-negative integer, got {k!r}.")
    with limit_threads(threads):
        pool = Pool(probs=probs, embeddings=embeddings, committee=committee, labeled=labeled,
                    candidates=candidates, labels=labels)
        strat.check_inputs(pool)
        check(cancel)
        n_cand = int(np.count_nonzero(pool.candidates))
        k = min(int(k), n_cand)
        ctx = RunContext(seed=seed, progress=progress, cancel=cancel)
        if k == 0:
            return Selection(np.empty(0, np.int64), np.empty(0), [], strat.name,
                             "No candidates left to pick from." if n_cand == 0 else "")
        sel = strat.run(pool, k, ctx, **params)
    return Selection(np.asarray(sel.indices, dtype=np.int64),
                     np.asarray(sel.scores, dtype=np.float64), list(sel.reasons),
                     sel.strategy, sel.explanation, {**params, **sel.params})
