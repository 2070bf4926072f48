"""Greedy k-center against an O(N²) brute force, on every code path."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from alstudio.errors import AlstudioError
from alstudio.selection import kcenter, select
from alstudio.selection.device import greedy_k_center_torch
from alstudio.selection.kcenter import greedy_k_center, nearest_distances
from alstudio.selection.uncertainty import margin_score
from tests.selection.conftest import SmallPool, brute_k_center, make_pool


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("top_size", [1, 7, None])
def test_matches_brute_force(seed: int, top_size: int | None) -> None:
    rng = np.random.default_rng(seed)
    p = make_pool(n=int(rng.integers(50, 300)), d=int(rng.integers(2, 24)),
                  n_labeled=int(rng.integers(1, 20)), seed=seed)
    cand = ~p.labeled & (rng.random(len(p.labeled)) < 0.8)
    k = int(rng.integers(1, cand.sum()))
    centres = np.flatnonzero(p.labeled)
    picks, dist = greedy_k_center(p.embeddings, k, cand, centres, top_size=top_size)
    ref = brute_k_center(p.embeddings, k, cand, centres)
    np.testing.assert_array_equal(picks, ref)
    e = p.embeddings.astype(np.float64)
    for t, i in enumerate(picks):  # reported distance = to nearest centre at pick time
        earlier = np.concatenate([centres, picks[:t]])
        np.testing.assert_allclose(dist[t], np.sqrt(((e[earlier] - e[i]) ** 2).sum(1)).min(),
                                   rtol=1e-3)


def test_blocked_equals_unblocked(monkeypatch: pytest.MonkeyPatch, pool: SmallPool) -> None:
    centres = np.flatnonzero(pool.labeled)
    big = greedy_k_center(pool.embeddings, 60, ~pool.labeled, centres)
    monkeypatch.setattr(kcenter, "_BLOCK_BYTES", 5 * 4 * pool.embeddings.shape[1])
    small = greedy_k_center(pool.embeddings, 60, ~pool.labeled, centres)
    np.testing.assert_array_equal(big[0], small[0])
    np.testing.assert_allclose(big[1], small[1], rtol=1e-5)


def test_offset_features_keep_precision() -> None:
    # ReLU-like features with a large common offset: uncentred float32 would cancel badly.
    p = make_pool(n=200, d=8, seed=5)
    emb = p.embeddings + np.float32(1000.0)
    cand, centres = ~p.labeled, np.flatnonzero(p.labeled)
    picks, _ = greedy_k_center(emb, 40, cand, centres)
    np.testing.assert_array_equal(picks, brute_k_center(p.embeddings, 40, cand, centres))


def test_cold_start_seeds(pool: SmallPool) -> None:
    sel = select("coreset", k=10, embeddings=pool.embeddings)
    e = pool.embeddings.astype(np.float64)
    first = int(np.argmin(((e - e.mean(0)) ** 2).sum(1)))
    np.testing.assert_array_equal(sel.indices, brute_k_center(
        pool.embeddings, 10, np.ones(len(e), bool), np.empty(0, int), first=first))
    assert np.isinf(sel.scores[0]) and "mean" in sel.reasons[0] and sel.explanation
    r1 = select("coreset", k=10, embeddings=pool.embeddings, init="random", seed=2)
    r2 = select("coreset", k=10, embeddings=pool.embeddings, init="random", seed=2)
    np.testing.assert_array_equal(r1.indices, r2.indices)


def test_coreset_strategy(pool: SmallPool) -> None:
    sel = select("coreset", k=25, embeddings=pool.embeddings, labeled=pool.labeled)
    ref = brute_k_center(pool.embeddings, 25, ~pool.labeled, np.flatnonzero(pool.labeled))
    np.testing.assert_array_equal(sel.indices, ref)
    assert not pool.labeled[sel.indices].any()
    assert np.all(np.diff(sel.scores) <= 1e-6)
    assert "far from labeled set" in sel.reasons[0]
    every = select("coreset", k=10_000, embeddings=pool.embeddings, labeled=pool.labeled)
    assert sorted(every.indices) == list(np.flatnonzero(~pool.labeled))


def test_default_strategy_is_core_set_on_uncertain_shortlist(pool: SmallPool) -> None:
    sel = select(k=8, probs=pool.probs, embeddings=pool.embeddings, labeled=pool.labeled,
                 shortlist_factor=5)
    assert sel.strategy == "coreset_uncertainty"
    u = margin_score(pool.probs)
    idx = np.flatnonzero(~pool.labeled)
    shortlist = idx[np.lexsort((idx, -u[idx].astype(np.float64)))][:40]
    mask = np.zeros(len(u), dtype=bool)
    mask[shortlist] = True
    ref = brute_k_center(pool.embeddings, 8, mask, np.flatnonzero(pool.labeled))
    np.testing.assert_array_equal(sel.indices, ref)
    assert "margin" in sel.reasons[0] and "far from labeled" in sel.reasons[0]
    assert "40 most uncertain" in sel.explanation


def test_nearest_distances(pool: SmallPool) -> None:
    rows, centres = np.arange(0, 100), np.flatnonzero(pool.labeled)
    e = pool.embeddings.astype(np.float64)
    ref = np.sqrt(((e[rows, None] - e[None, centres]) ** 2).sum(-1)).min(1)
    # |a|²+|b|²-2ab in float32: absolute error ~1e-7·|a|², visible only near zero.
    np.testing.assert_allclose(nearest_distances(pool.embeddings, rows, centres), ref,
                               rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("labeled", [True, False])
def test_torch_loop_matches_numpy(pool: SmallPool, labeled: bool) -> None:
    centres = np.flatnonzero(pool.labeled) if labeled else np.empty(0, np.int64)
    first = None if labeled else 3
    cand = ~pool.labeled
    ref = greedy_k_center(pool.embeddings, 50, cand, centres, first=first)
    got = greedy_k_center_torch(torch.from_numpy(pool.embeddings), 50, cand, centres,
                                first=first)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-4)


@pytest.mark.gpu
def test_cuda_matches_cpu(pool: SmallPool) -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    emb = torch.from_numpy(pool.embeddings).cuda()
    for name in ("coreset", "coreset_uncertainty"):
        cpu = select(name, k=40, probs=pool.probs, embeddings=pool.embeddings,
                     labeled=pool.labeled)
        gpu = select(name, k=40, probs=pool.probs, embeddings=emb, labeled=pool.labeled)
        np.testing.assert_array_equal(cpu.indices, gpu.indices)


def test_float32_near_tie_is_settled_in_float64() -> None:
    # |b| exceeds |a| by ~4e-9 relative: float32 computes the same squared norm for both.
    a = np.ones(64, dtype=np.float32)
    b = a.copy()
    b[0] = np.nextafter(np.float32(1), np.float32(2))
    assert np.float32((b * b).sum()) == np.float32((a * a).sum())
    emb = np.stack([np.zeros(64, np.float32), a, -a, b, -b])
    labeled = np.array([True, False, False, False, False])
    sel = select("coreset", k=4, embeddings=emb, labeled=labeled)
    ref = brute_k_center(emb, 4, ~labeled, np.array([0]))
    np.testing.assert_array_equal(sel.indices, ref)
    assert list(sel.indices) == [3, 4, 1, 2]


def test_rare_share_takes_the_likeliest_items_of_the_rarest_class(pool: SmallPool) -> None:
    labels = np.full(len(pool.probs), -1, dtype=np.int64)
    lab = np.flatnonzero(pool.labeled)
    classes = pool.probs.shape[1]
    labels[lab] = np.arange(lab.size) % (classes - 1)  # no label yet of the last class
    rarest = classes - 1
    sel = select("coreset_uncertainty", k=10, probs=pool.probs, embeddings=pool.embeddings,
                 labeled=pool.labeled, labels=labels, rare_share=0.3)
    assert len(sel) == 10 and len(set(sel.indices.tolist())) == 10
    assert not pool.labeled[sel.indices].any()
    cand = np.flatnonzero(~pool.labeled)
    best = cand[np.argsort(-pool.probs[cand, rarest], kind="stable")][:3]
    assert sorted(sel.indices[:3].tolist()) == sorted(best.tolist())  # ceil(0.3 * 10) = 3
    assert "rarest class" in sel.reasons[0] and f"class {rarest}" in sel.explanation
    plain = select("coreset_uncertainty", k=10, probs=pool.probs, embeddings=pool.embeddings,
                   labeled=pool.labeled, labels=labels)
    assert "rarest" not in plain.explanation
    with pytest.raises(AlstudioError, match="rare_share"):
        select("coreset_uncertainty", k=10, probs=pool.probs, embeddings=pool.embeddings,
               labeled=pool.labeled, rare_share=1.5)


def test_random_share_draws_part_of_the_batch_uniformly_and_reproducibly(pool: SmallPool) -> None:
    kwargs = dict(probs=pool.probs, embeddings=pool.embeddings, labeled=pool.labeled)
    sel = select("coreset_uncertainty", k=10, random_share=0.4, seed=3, **kwargs)
    assert len(sel) == 10 and len(set(sel.indices.tolist())) == 10
    assert not pool.labeled[sel.indices].any()
    assert sel.reasons[:4] == ["drawn at random: the share that keeps the labels a fair sample"] * 4
    assert "4 drawn at random (seed 3)" in sel.explanation and sel.params["random"] == 4
    again = select("coreset_uncertainty", k=10, random_share=0.4, seed=3, **kwargs)
    np.testing.assert_array_equal(sel.indices, again.indices)
    other = select("coreset_uncertainty", k=10, random_share=0.4, seed=4, **kwargs)
    assert set(other.indices[:4].tolist()) != set(sel.indices[:4].tolist())
    plain = select("coreset_uncertainty", k=10, **kwargs)
    # the rest of the batch is the usual pick among what the random share left
    assert len(set(sel.indices[4:].tolist()) & set(plain.indices.tolist())) >= 3
    both = select("coreset_uncertainty", k=10, random_share=0.5, rare_share=0.3, **kwargs)
    assert len(set(both.indices.tolist())) == 10 and both.params["rare"] == 3
    assert both.params["random"] == 4  # ceil(0.5 * (10 - 3))
    with pytest.raises(AlstudioError, match="random_share"):
        select("coreset_uncertainty", k=10, random_share=-0.1, **kwargs)
