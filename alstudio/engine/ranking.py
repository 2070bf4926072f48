"""Ranking: which pool items to label next, from scores already computed.

Pure and cheap next to scoring: the strategies (:mod:`alstudio.selection`) read the model's
outputs and the labeled set; with too few labels to train, core-set seeding runs on
unsupervised features of the pixels instead (the cold start).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.learning.inference import ModelOutputs
from alstudio.selection import Selection, select, unsupervised_features
from alstudio.selection.catalogue import COMMITTEE_STRATEGIES


def wants_committee(strategy: str) -> bool:
    """Whether ``strategy`` may read committee outputs (``auto`` might choose one that does)."""
    return strategy in COMMITTEE_STRATEGIES or strategy == "auto"


def can_train(y_labeled: np.ndarray) -> bool:
    """A model needs at least two labeled examples of at least two classes."""
    return bool(y_labeled.size >= 2 and np.unique(y_labeled).size >= 2)


def cold_start_features(x_pool: np.ndarray, seed: int) -> np.ndarray:
    """PCA of downsampled pixels: the embedding core-set seeding uses before any model."""
    return unsupervised_features(x_pool, dim=min(50, max(2, x_pool.shape[0] - 1)), seed=seed)


def rank_cold_start(x_pool: np.ndarray, labeled: np.ndarray, y_labeled: np.ndarray,
                    candidates: np.ndarray, strategy: str, k: int, *, seed: int,
                    threads: int | None, progress: ProgressCallback | None,
                    cancel: CancelToken | None,
                    pool_features: np.ndarray | None = None) -> Selection:
    """Pick ``k`` items when no model can be trained yet, saying so: TypiClust on the
    pretrained encoder's ``pool_features`` when there are some, else ``strategy`` on PCA of
    the pixels."""
    report(progress, "selecting", 0, 1, "cold start: no model yet")
    learned = pool_features is not None
    features = pool_features if pool_features is not None else cold_start_features(x_pool, seed)
    check(cancel)
    selection = select("typiclust" if learned else strategy, k, embeddings=features,
                       labeled=labeled, candidates=candidates, seed=seed, threads=threads,
                       cancel=cancel)
    source = ("features of the encoder pretrained on this pool" if learned
              else "unsupervised (PCA) features of the pixels")
    why = (f"Cold start: {int(labeled.sum())} label(s) of "
           f"{np.unique(y_labeled).size} class(es) are too few to train a model, so "
           f"{selection.strategy} ran on {source}.")
    return Selection(selection.indices, selection.scores, selection.reasons,
                     selection.strategy, why, selection.params)


def rank(strategy: str, k: int, outputs: ModelOutputs, *, labeled: np.ndarray,
         candidates: np.ndarray, labels: np.ndarray, seed: int, threads: int | None,
         params: dict[str, Any], past_members: int = 0,
         progress: ProgressCallback | None = None,
         cancel: CancelToken | None = None) -> Selection:
    """Run ``strategy`` on the pool's outputs; ``past_members`` earlier checkpoints joined the
    committee (named in the explanation when a committee strategy read it)."""
    report(progress, "selecting", 0, 1)
    selection = select(strategy, k, probs=outputs.probs, embeddings=outputs.embeddings,
                       committee=outputs.committee, labeled=labeled, candidates=candidates,
                       labels=labels, seed=seed, threads=threads, cancel=cancel, **params)
    if past_members and selection.strategy in COMMITTEE_STRATEGIES:
        selection = replace(selection, explanation=(
            f"{selection.explanation} Committee: the new model and {past_members} earlier "
            f"checkpoint(s)."))
    report(progress, "selecting", 1, 1)
    return selection
