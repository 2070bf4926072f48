"""Small fixed pools, and the brute-force references the fast strategies are checked against."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest


@dataclass
class SmallPool:
    probs: np.ndarray
    embeddings: np.ndarray
    committee: np.ndarray
    labeled: np.ndarray
    labels: np.ndarray


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def make_pool(n: int = 400, c: int = 4, d: int = 16, m: int = 5, n_labeled: int = 30,
              seed: int = 0) -> SmallPool:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((6, d)) * 3
    emb = (centres[rng.integers(0, 6, n)] + rng.standard_normal((n, d))).astype(np.float32)
    logits = emb @ rng.standard_normal((d, c)) / np.sqrt(d) + rng.standard_normal((n, c))
    probs = softmax(logits)
    committee = softmax(logits[None] + rng.standard_normal((m, n, c)))
    labeled = np.zeros(n, dtype=bool)
    labeled[rng.choice(n, n_labeled, replace=False)] = True
    labels = np.where(labeled, probs.argmax(1), -1)
    return SmallPool(probs, emb, committee, labeled, labels)


@pytest.fixture
def pool() -> SmallPool:
    return make_pool()


def brute_k_center(emb: np.ndarray, k: int, candidates: np.ndarray, centres: np.ndarray,
                   first: int | None = None) -> list[int]:
    """O(N²) float64 farthest-first traversal with lowest-index tie-breaking."""
    e = emb.astype(np.float64)
    dist = ((e[:, None, :] - e[None, :, :]) ** 2).sum(-1)
    mind = np.full(len(e), np.inf)
    picks: list[int] = []
    for c in centres:
        mind = np.minimum(mind, dist[c])
    if first is not None:
        picks.append(first)
        mind = np.minimum(mind, dist[first])
    while len(picks) < min(k, int(candidates.sum())):
        m = np.where(candidates, mind, -np.inf)
        m[picks] = -np.inf
        p = int(np.argmax(m))
        picks.append(p)
        mind = np.minimum(mind, dist[p])
    return picks
