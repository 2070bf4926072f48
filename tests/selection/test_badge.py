"""BADGE's factorised gradient geometry and seeding against the materialised embeddings."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from alstudio.selection import gradient_embeddings, select
from alstudio.selection.badge import kmeanspp_factorised
from alstudio.selection.device import kmeanspp_torch
from alstudio.selection.gradients import expected_gradient_length, pseudo_residual
from tests.selection.conftest import SmallPool


def brute_kmeanspp(g: np.ndarray, k: int, candidates: np.ndarray, seed: int) -> list[int]:
    """Textbook k-means++ on explicit vectors, drawing one rng.random() per pick."""
    rng = np.random.default_rng(seed)
    g = g.astype(np.float64)
    norms = np.where(candidates, (g * g).sum(1), -1.0)
    picks = [int(np.argmax(norms))]
    d2 = np.where(candidates, np.inf, 0.0)
    while len(picks) < k:
        d2 = np.minimum(d2, ((g - g[picks[-1]]) ** 2).sum(1))
        d2[picks] = 0.0
        cum = np.cumsum(d2)
        picks.append(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")))
    return picks


def test_gradient_embeddings_are_outer_products(pool: SmallPool) -> None:
    g = gradient_embeddings(pool.probs, pool.embeddings)
    n, c = pool.probs.shape
    assert g.shape == (n, c * pool.embeddings.shape[1])
    i = 7
    q = pool.probs[i].astype(np.float64).copy()
    q[np.argmax(q)] -= 1
    np.testing.assert_allclose(g[i], np.outer(q, pool.embeddings[i]).ravel(), rtol=1e-5,
                               atol=1e-6)


def test_factorised_distances_equal_materialised(pool: SmallPool) -> None:
    g = gradient_embeddings(pool.probs, pool.embeddings).astype(np.float64)
    q = pseudo_residual(pool.probs).astype(np.float64)
    h = pool.embeddings.astype(np.float64)
    gsq = (q * q).sum(1) * (h * h).sum(1)
    fact = gsq[:, None] + gsq[None, :] - 2 * (q @ q.T) * (h @ h.T)
    explicit = ((g[:, None] - g[None]) ** 2).sum(-1)
    np.testing.assert_allclose(fact, explicit, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seeding_equals_brute_force_kmeanspp(pool: SmallPool, seed: int) -> None:
    g = gradient_embeddings(pool.probs, pool.embeddings)
    sel = select("badge", k=40, probs=pool.probs, embeddings=pool.embeddings,
                 labeled=pool.labeled, seed=seed)
    np.testing.assert_array_equal(sel.indices, brute_kmeanspp(g, 40, ~pool.labeled, seed))
    assert not pool.labeled[sel.indices].any() and len(set(sel.indices)) == 40
    assert "gradient" in sel.reasons[1]


def test_all_candidates_when_k_is_large(pool: SmallPool) -> None:
    sel = select("badge", k=10_000, probs=pool.probs, embeddings=pool.embeddings,
                 labeled=pool.labeled)
    assert sorted(sel.indices) == list(np.flatnonzero(~pool.labeled))


def test_torch_seeding_matches_numpy(pool: SmallPool) -> None:
    q = pseudo_residual(pool.probs)
    u = np.random.default_rng(5).random(59)
    ref = kmeanspp_factorised(q, pool.embeddings, 60, ~pool.labeled, u)
    got = kmeanspp_torch(torch.from_numpy(q), torch.from_numpy(pool.embeddings), 60,
                         ~pool.labeled, u)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-4)


def test_egl_equals_explicit_gradient_norms(pool: SmallPool) -> None:
    p = pool.probs.astype(np.float64)
    h = pool.embeddings.astype(np.float64)
    ref = np.zeros(len(p))
    for y in range(p.shape[1]):
        r = p.copy()
        r[:, y] -= 1
        grads = np.einsum("nc,nd->ncd", r, h).reshape(len(p), -1)
        ref += p[:, y] * np.linalg.norm(grads, axis=1)
    np.testing.assert_allclose(expected_gradient_length(pool.probs, pool.embeddings), ref,
                               rtol=1e-5)
    sel = select("egl", k=10, probs=pool.probs, embeddings=pool.embeddings,
                 labeled=pool.labeled)
    idx = np.flatnonzero(~pool.labeled)
    np.testing.assert_array_equal(sel.indices, idx[np.argsort(-ref[idx], kind="stable")][:10])


@pytest.mark.gpu
def test_cuda_badge_matches_cpu(pool: SmallPool) -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    cpu = select("badge", k=40, probs=pool.probs, embeddings=pool.embeddings,
                 labeled=pool.labeled, seed=1)
    gpu = select("badge", k=40, probs=pool.probs,
                 embeddings=torch.from_numpy(pool.embeddings).cuda(), labeled=pool.labeled,
                 seed=1)
    np.testing.assert_array_equal(cpu.indices, gpu.indices)


def test_bounded_gathers_give_the_same_picks(monkeypatch: pytest.MonkeyPatch,
                                             pool: SmallPool) -> None:
    from alstudio.selection import badge

    kw = {"probs": pool.probs, "embeddings": pool.embeddings, "labeled": pool.labeled}
    ref = select("badge", k=50, **kw)
    monkeypatch.setattr(badge, "_GATHER", 7)
    np.testing.assert_array_equal(select("badge", k=50, **kw).indices, ref.indices)
