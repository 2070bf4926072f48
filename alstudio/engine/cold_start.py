"""The cold start: which pool items to label first, before any model can be trained.

With too few labels to train (fewer than two classes), there are no model outputs to rank;
the step ranks on features of the pixels instead (PCA), or on a pretrained encoder's
features with TypiClust.
"""

from __future__ import annotations

import numpy as np

from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.selection import Selection, unsupervised_features
from alstudio.selection.catalogue import select


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
