"""Query strategies: which unlabeled scans to show the annotator next.

A pure library (torch and numpy, no I/O, no GUI). Every batch strategy is called the same way::

    from alstudio.selection import select, STRATEGIES, Selection

    sel = select("coreset", k=20, probs=P, embeddings=E, labeled=mask, seed=0)
    sel.indices      # np.ndarray[int64]: pool indices, in pick order
    sel.scores       # np.ndarray[float64]: the strategy's score per pick (higher = better)
    sel.reasons      # list[str]: "margin 0.04; far from labeled set and earlier picks (d=3.2)"
    sel.strategy     # the strategy that ran (for "auto": the one it chose)
    sel.explanation  # why it was chosen, or what was approximated

    STRATEGIES["badge"].needs          # frozenset({"probs", "embeddings"})
    STRATEGIES["coreset"].parameters() # {"init": "mean", "top_size": None}

Inputs (numpy or torch, one row per pool item): ``probs`` (N, C), ``embeddings`` (N, d),
``committee`` (M, N, C), ``labeled`` / ``candidates`` bool masks, ``labels`` (N,) with -1 for
unlabeled; plus ``seed``, ``threads`` (cap BLAS threads so a GUI keeps a core),
``progress`` and ``cancel`` (see :mod:`alstudio.jobs`). A strategy missing an input it
needs raises :class:`alstudio.errors.AlstudioError` naming it.

Strategies: ``random``, ``least_confidence``, ``margin``, ``entropy`` (all with optional
``density_weight``), ``coreset``, ``coreset_uncertainty`` (:data:`DEFAULT_STRATEGY`),
``typiclust`` (cold start on learned features), ``badge``, ``bald``, ``vote_entropy``,
``kl_consensus``, ``egl``, ``eer`` and ``auto``.

Also here: :class:`StreamSelector` for per-scan decisions on import, :func:`choose_strategy`
(what ``auto`` would do), :func:`gradient_embeddings` (explicit BADGE embeddings, small
pools) and :func:`unsupervised_features` (PCA features for a cold start)::

    feats = unsupervised_features(images, dim=50)
    first = select("coreset", k=30, embeddings=feats)

    stream = StreamSelector.fit_thresholds(P, E, mask, budget=50, accept_fraction=0.05)
    decision = stream.decide(p_new, e_new)   # Decision(take, score, reason)

The package loads lazily: importing it (or :mod:`alstudio.selection.catalogue`, the torch-free
list of names, titles, needs and parameters, and the door through which ``select`` runs one
by name) loads no torch; the first use of any other name below, or the first ``select``,
imports the strategies and registers them.
"""


from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from alstudio.selection.catalogue import DEFAULT_STRATEGY, load_strategies

if TYPE_CHECKING:
    from alstudio.selection.auto import AutoThresholds, choose_strategy
    from alstudio.selection.base import Selection, Strategy
    from alstudio.selection.catalogue import STRATEGIES, select
    from alstudio.selection.features import unsupervised_features
    from alstudio.selection.gradients import gradient_embeddings
    from alstudio.selection.stream import Decision, StreamSelector
    from alstudio.selection.threads import limit_threads

#: Public name -> the module that defines it.
_LAZY = {
    "limit_threads": "threads", "select": "catalogue", "STRATEGIES": "catalogue",
    "AutoThresholds": "auto", "choose_strategy": "auto",
    "Selection": "base", "Strategy": "base",
    "unsupervised_features": "features", "gradient_embeddings": "gradients",
    "Decision": "stream", "StreamSelector": "stream",
}


def __getattr__(name: str) -> Any:
    """Load the strategies on first use of a name, so importing the package stays cheap."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    load_strategies()
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_STRATEGY",
    "STRATEGIES",
    "AutoThresholds",
    "Decision",
    "Selection",
    "Strategy",
    "StreamSelector",
    "choose_strategy",
    "gradient_embeddings",
    "limit_threads",
    "select",
    "unsupervised_features",
]
