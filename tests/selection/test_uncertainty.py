"""Uncertainty scores against their formulas, pick orders against a full sort."""

from __future__ import annotations

import numpy as np
import pytest

from alstudio.selection import select
from alstudio.selection.ranking import top_k
from alstudio.selection.uncertainty import entropy, least_confidence, margin_score, pool_density
from tests.selection.conftest import SmallPool, make_pool


def sorted_order(scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(allowed)
    return idx[np.lexsort((idx, -scores[idx].astype(np.float64)))]


def test_scores_match_formulas(pool: SmallPool) -> None:
    p = pool.probs.astype(np.float64)
    h = -(p * np.log(np.where(p > 0, p, 1))).sum(1)
    srt = np.sort(p, axis=1)
    np.testing.assert_allclose(entropy(pool.probs), h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(margin_score(pool.probs), 1 - (srt[:, -1] - srt[:, -2]), atol=1e-6)
    np.testing.assert_allclose(least_confidence(pool.probs), 1 - srt[:, -1], atol=1e-6)


def test_entropy_handles_exact_zeros() -> None:
    p = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(entropy(p), [0.0, np.log(2)], atol=1e-6)


@pytest.mark.parametrize("name,fn", [("entropy", entropy), ("margin", margin_score),
                                     ("least_confidence", least_confidence)])
def test_pick_order_equals_sorting(pool: SmallPool, name: str, fn) -> None:
    sel = select(name, k=50, probs=pool.probs, labeled=pool.labeled)
    expected = sorted_order(fn(pool.probs), ~pool.labeled)[:50]
    np.testing.assert_array_equal(sel.indices, expected)
    assert sel.indices.dtype == np.int64 and sel.scores.dtype == np.float64
    assert not pool.labeled[sel.indices].any()
    assert np.all(np.diff(sel.scores) <= 0)
    assert len(sel.reasons) == 50 and sel.strategy == name


def test_top_k_breaks_ties_by_lowest_index() -> None:
    s = np.array([1, 3, 3, 2, 3, 3, 0], dtype=np.float32)
    np.testing.assert_array_equal(top_k(s, 3), [1, 2, 4])
    allowed = np.array([1, 0, 1, 1, 1, 1, 1], dtype=bool)
    np.testing.assert_array_equal(top_k(s, 5, allowed), [2, 4, 5, 3, 0])
    np.testing.assert_array_equal(top_k(np.array([np.nan, 1.0]), 2), [1, 0])


def test_candidates_and_k_larger_than_candidates(pool: SmallPool) -> None:
    cand = np.zeros(len(pool.probs), dtype=bool)
    cand[:40] = True
    sel = select("margin", k=1000, probs=pool.probs, labeled=pool.labeled, candidates=cand)
    assert sorted(sel.indices) == sorted(np.flatnonzero(cand & ~pool.labeled))


def test_density_weighting_matches_mean_cosine(pool: SmallPool) -> None:
    e = pool.embeddings.astype(np.float64)
    u = e / np.linalg.norm(e, axis=1, keepdims=True)
    ref = np.clip((u @ u.T).mean(1), 1e-6, 1)
    np.testing.assert_allclose(pool_density(pool.embeddings), ref, rtol=1e-4, atol=1e-6)
    sel = select("entropy", k=20, probs=pool.probs, embeddings=pool.embeddings,
                 labeled=pool.labeled, density_weight=2.0)
    weighted = entropy(pool.probs) * ref.astype(np.float32) ** 2
    np.testing.assert_array_equal(sel.indices, sorted_order(weighted, ~pool.labeled)[:20])
    assert "typicality" in sel.reasons[0]


def test_random_is_seeded_and_skips_labeled(pool: SmallPool) -> None:
    a = select("random", k=30, labeled=pool.labeled, seed=3)
    b = select("random", k=30, labeled=pool.labeled, seed=3)
    c = select("random", k=30, labeled=pool.labeled, seed=4)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, c.indices)
    assert len(set(a.indices)) == 30 and not pool.labeled[a.indices].any()


def test_large_pool_blocks_agree_with_small() -> None:
    big = make_pool(n=70_000, c=3, d=4, m=2, n_labeled=10, seed=1)
    p = big.probs.astype(np.float64)
    np.testing.assert_allclose(entropy(big.probs), -(p * np.log(p)).sum(1), rtol=1e-5, atol=1e-6)
    srt = np.sort(p, axis=1)
    np.testing.assert_allclose(margin_score(big.probs), 1 - srt[:, -1] + srt[:, -2], atol=1e-6)
