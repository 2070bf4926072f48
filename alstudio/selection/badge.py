"""BADGE: k-means++ seeding on last-layer gradient embeddings (Ash et al., 2020).

An item's gradient embedding g = (p - e_ŷ) ⊗ h is long when the model is unsure (large
residual) and points in different directions for different kinds of images, so k-means++
seeding on it trades uncertainty against diversity without a tuning knob. We never build the
N x (C·d) matrix: |g_i - g_j|² = |g_i|² + |g_j|² - 2<q_i, q_j><h_i, h_j> with q = p - e_ŷ.

Sampling protocol (what makes a seed reproducible, and what the tests replicate):

1. the first pick is the candidate with the largest gradient norm (lowest index on ties),
   as in the authors' code;
2. ``u = rng.random(k - 1)`` with ``rng = np.random.default_rng(seed)``;
3. pick t+1 is the first index i whose cumulative D² (float64, pool order, zero for
   non-candidates and earlier picks) exceeds ``u[t] * total``; if every D² is zero the lowest
   remaining candidate is taken.

As in the paper, labeled items are not centres of the seeding (their gradients describe the
old model's fit, not the pool's spread); they are simply never picked.
"""

from __future__ import annotations

import numpy as np
import torch

from alstudio.jobs import CancelToken, ProgressCallback, Throttle, check, report
from alstudio.selection.base import RunContext, Selection, Strategy
from alstudio.selection.catalogue import register
from alstudio.selection.device import kmeanspp_torch
from alstudio.selection.gradients import pseudo_residual
from alstudio.selection.pool import Pool
from alstudio.selection.ranking import fmt
from alstudio.selection.threads import blas_limit, blas_threads

_GATHER = 256  # rows gathered at a time: stays in cache between the copy and the product


def kmeanspp_factorised(q: np.ndarray, h: np.ndarray, k: int, candidates: np.ndarray,
                        uniforms: np.ndarray, *, progress: ProgressCallback | None = None,
                        cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray]:
    """k-means++ seeding on g_i = q_i ⊗ h_i following the protocol in the module docstring.

    Returns the picks and the gradient distance of each pick to the earlier picks when it was
    drawn (its gradient norm for the first).

    A new centre c can only lower D²_i where its distance is below D²_i, and by
    Cauchy-Schwarz |g_i - g_c|² ≥ |g_i|² + |g_c|² - 2|<q_i, q_c>|·|h_i|·|h_c|. That bound
    costs O(C) per item; only the items it does not rule out need <h_i, h_c>, an O(d) read.
    Typically under a tenth survive, so most picks touch a fraction of the embeddings while
    the sampled items stay exactly those of plain k-means++ (the bound has a 1e-4 relative
    margin for float32 rounding; when over a third survive, the full product is used).
    """
    n = h.shape[0]
    hn = np.sqrt(np.einsum("ij,ij->i", h, h))
    gsq = np.einsum("ij,ij->i", q, q) * hn * hn
    gsq[~candidates] = 0.0
    picks = np.empty(k, dtype=np.int64)
    vals = np.empty(k, dtype=np.float64)
    j = int(np.argmax(np.where(candidates, gsq, -1.0)))
    picks[0], vals[0] = j, float(gsq[j])
    mind = np.where(candidates, np.float32(np.inf), np.float32(0.0)).astype(np.float32)
    alive = candidates.copy()
    qd = np.empty(n, dtype=np.float32)
    lb = np.empty(n, dtype=np.float32)
    hd = np.empty(n, dtype=np.float32)
    near = np.empty(n, dtype=bool)
    cum = np.empty(n, dtype=np.float64)
    throttle = Throttle()
    threads = blas_threads()
    with blas_limit(1):  # small products per pick: see alstudio.selection.threads
        for t in range(1, k):
            check(cancel)
            np.dot(q, q[j], out=qd)
            np.abs(qd, out=lb)
            lb *= hn
            lb *= np.float32(-2.0 * (1.0 + 1e-4)) * hn[j]
            lb += gsq
            lb += gsq[j]
            np.less(lb, mind, out=near)
            hits = np.flatnonzero(near)
            idx: np.ndarray | slice
            if hits.size > n // 3:  # gathering would cost more than reading everything
                with blas_limit(threads):  # a full pass: worth the threads
                    np.dot(h, h[j], out=hd)
                idx = slice(None)
                d2 = hd
            else:
                idx = hits
                d2 = hd[: hits.size]
                for s in range(0, hits.size, _GATHER):  # bounded gather buffers
                    np.dot(h[hits[s:s + _GATHER]], h[j], out=d2[s:s + _GATHER])
            d2 *= qd[idx]
            d2 *= np.float32(-2.0)
            d2 += gsq[idx]
            d2 += gsq[j]
            np.maximum(d2, np.float32(0.0), out=d2)
            mind[idx] = np.minimum(mind[idx], d2)
            mind[j] = 0.0
            alive[j] = False
            np.cumsum(mind, dtype=np.float64, out=cum)
            total = cum[-1]
            if total > 0:
                target = min(uniforms[t - 1] * total, np.nextafter(total, 0.0))
                j = int(np.searchsorted(cum, target, side="right"))
            else:
                j = int(np.argmax(alive))
            picks[t], vals[t] = j, float(mind[j])
            if progress is not None and throttle.ready():
                report(progress, "badge", t + 1, k)
    report(progress, "badge", k, k)
    return picks, np.sqrt(np.maximum(vals, 0.0))


@register
class Badge(Strategy):
    """Batch Active learning by Diverse Gradient Embeddings."""

    name = "badge"
    title = "BADGE: k-means++ on gradient embeddings"
    needs = frozenset({"probs", "embeddings"})

    def run(self, pool: Pool, k: int, ctx: RunContext) -> Selection:
        assert pool.probs is not None
        uniforms = ctx.rng().random(max(k - 1, 0))
        q = pseudo_residual(pool.probs)
        if pool.on_device:
            assert pool.embeddings_device is not None
            dev = pool.embeddings_device.device
            picks, dist = kmeanspp_torch(torch.from_numpy(q).to(dev), pool.embeddings_device,
                                         k, pool.candidates, uniforms,
                                         progress=ctx.progress, cancel=ctx.cancel)
            h_norm = torch.linalg.vector_norm(
                pool.embeddings_device[torch.as_tensor(picks, device=dev)], dim=1).cpu().numpy()
        else:
            h = pool.embeddings
            picks, dist = kmeanspp_factorised(q, h, k, pool.candidates, uniforms,
                                              progress=ctx.progress, cancel=ctx.cancel)
            h_norm = np.linalg.norm(h[picks], axis=1)
        g_norm = np.linalg.norm(q[picks], axis=1) * h_norm
        reasons = [f"largest gradient norm ({fmt(float(g_norm[0]))})"] if k else []
        reasons += [f"gradient norm {fmt(float(g))}; gradient distance {fmt(float(d))} to "
                    f"earlier picks (drawn ∝ D²)"
                    for g, d in zip(g_norm[1:], dist[1:], strict=True)]
        return Selection(picks, dist, reasons, self.name)
