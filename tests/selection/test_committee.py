"""Committee scores against their definitions, member by member."""

from __future__ import annotations

import numpy as np

from alstudio.selection import select
from alstudio.selection.committee import bald, kl_to_consensus, vote_entropy
from tests.selection.conftest import SmallPool


def _h(p: np.ndarray) -> np.ndarray:
    return -(p * np.log(np.where(p > 0, p, 1))).sum(-1)


def test_bald_is_mutual_information(pool: SmallPool) -> None:
    c = pool.committee.astype(np.float64)
    ref = _h(c.mean(0)) - _h(c).mean(0)
    np.testing.assert_allclose(bald(pool.committee), ref, atol=1e-5)


def test_vote_entropy(pool: SmallPool) -> None:
    m, n, k = pool.committee.shape
    ref = np.empty(n)
    for i in range(n):
        votes = np.bincount(pool.committee[:, i].argmax(1), minlength=k) / m
        ref[i] = _h(votes)
    np.testing.assert_allclose(vote_entropy(pool.committee), ref, atol=1e-6)


def test_kl_to_consensus(pool: SmallPool) -> None:
    c = pool.committee.astype(np.float64)
    cons = c.mean(0)
    ref = np.mean([(c[j] * np.log(c[j] / cons)).sum(1) for j in range(c.shape[0])], axis=0)
    np.testing.assert_allclose(kl_to_consensus(pool.committee), ref, atol=1e-5)
    # With the mean as consensus, mean KL is the mutual information.
    np.testing.assert_allclose(kl_to_consensus(pool.committee), bald(pool.committee), atol=1e-5)


def test_committee_strategies_pick_top_scores(pool: SmallPool) -> None:
    for name, fn in [("bald", bald), ("vote_entropy", vote_entropy),
                     ("kl_consensus", kl_to_consensus)]:
        sel = select(name, k=15, committee=pool.committee, labeled=pool.labeled)
        s = fn(pool.committee)
        idx = np.flatnonzero(~pool.labeled)
        ref = idx[np.lexsort((idx, -s[idx].astype(np.float64)))][:15]
        np.testing.assert_array_equal(sel.indices, ref)
        assert sel.reasons[0]
