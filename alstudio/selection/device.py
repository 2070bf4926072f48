"""Torch versions of the per-pick loops, for embeddings that live on a GPU.

On a GPU the plain loop is the right one: one matrix-vector product per pick streams the
embeddings at device bandwidth (terabytes per second), and the argmax and the gather of the
next centre stay on the device, so the loop never waits for the host. The lazy shortlist of
:mod:`alstudio.selection.kcenter` would add host synchronisation for little gain there.

These functions also run on CPU tensors, which is how the tests check them without a GPU.
The device k-center holds one centred copy of the candidates' embeddings on the device.
"""

from __future__ import annotations

import numpy as np
import torch

from alstudio.jobs import CancelToken, ProgressCallback, Throttle, check, report

_BLOCK_BYTES = 64 << 20


def _sqdist_min(x: torch.Tensor, sq: torch.Tensor, centres: torch.Tensor,
                cancel: CancelToken | None) -> torch.Tensor:
    """Squared distance from each row of ``x`` to its nearest row of ``centres``, blocked."""
    mind = torch.full((x.shape[0],), float("inf"), device=x.device, dtype=x.dtype)
    if centres.shape[0] == 0:
        return mind
    csq = (centres * centres).sum(1)
    rb = max(1, _BLOCK_BYTES // (4 * max(1, centres.shape[0])))
    for s in range(0, x.shape[0], rb):
        check(cancel)
        g = x[s:s + rb] @ centres.T
        g.mul_(-2.0).add_(csq)
        mind[s:s + rb] = g.amin(1) + sq[s:s + rb]
    return mind


def greedy_k_center_torch(emb: torch.Tensor, k: int, candidates: np.ndarray,
                          centres: np.ndarray, *, first: int | None = None,
                          progress: ProgressCallback | None = None,
                          cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Same contract and picks as :func:`alstudio.selection.kcenter.greedy_k_center`."""
    dev = emb.device
    cand = np.flatnonzero(candidates)
    n = cand.size
    k = min(k, n)
    if k == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    emb = emb.float()
    step = max(1, emb.shape[0] // 65536)
    mu = emb[::step].double().mean(0).float()
    cand_t = torch.as_tensor(cand, device=dev)
    x = emb.index_select(0, cand_t) - mu
    sq = (x * x).sum(1)
    start = 0
    if centres.size == 0:
        if first is None:
            raise ValueError("a seed pick is needed when there are no centres")
        centres = np.array([first], dtype=np.int64)
        start = 1
    c = emb.index_select(0, torch.as_tensor(centres, device=dev)) - mu
    mind = _sqdist_min(x, sq, c, cancel)
    picks = torch.empty(k, dtype=torch.long, device=dev)
    vals = torch.empty(k, dtype=torch.float32, device=dev)
    if start and first is not None:
        p0 = torch.as_tensor([int(np.searchsorted(cand, first))], device=dev)
        picks[0:1] = p0
        vals[0:1] = float("inf")
        mind.index_fill_(0, p0, float("-inf"))
    throttle = Throttle()
    for t in range(start, k):
        check(cancel)
        j = torch.argmax(mind).view(1)  # first maximum: lowest index among ties
        picks[t:t + 1] = j
        vals[t:t + 1] = mind.index_select(0, j)
        cj = x.index_select(0, j)[0]
        d = torch.addmv(sq + sq.index_select(0, j), x, cj, alpha=-2.0)
        torch.minimum(mind, d, out=mind)
        mind.index_fill_(0, j, float("-inf"))
        if progress is not None and throttle.ready():
            report(progress, "core-set", t + 1, k)
    report(progress, "core-set", k, k)
    pos = picks.cpu().numpy()
    dist = vals.double().clamp_min(0).sqrt().cpu().numpy()
    return cand[pos], dist


def kmeanspp_torch(q: torch.Tensor, h: torch.Tensor, k: int, candidates: np.ndarray,
                   uniforms: np.ndarray, *, progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray]:
    """BADGE's k-means++ seeding on factorised gradient embeddings, on the tensors' device.

    ``uniforms`` are the k-1 draws in [0, 1) the CPU version would take from its generator,
    so both versions pick the same items for the same seed.
    """
    dev = h.device
    q = q.float()
    h = h.float()
    n = h.shape[0]
    cmask = torch.as_tensor(candidates, device=dev)
    zero = torch.zeros(n, device=dev)
    gsq = torch.where(cmask, (q * q).sum(1) * (h * h).sum(1), zero)
    picks = torch.empty(k, dtype=torch.long, device=dev)
    vals = torch.empty(k, dtype=torch.float64, device=dev)
    j = torch.argmax(torch.where(cmask, gsq, zero - 1.0)).view(1)
    picks[0:1] = j
    vals[0:1] = gsq.index_select(0, j).double()
    mind = torch.where(cmask, torch.full_like(gsq, float("inf")), zero)
    alive = cmask.clone()
    u = torch.as_tensor(uniforms, dtype=torch.float64, device=dev)
    throttle = Throttle()
    for t in range(1, k):
        check(cancel)
        d = (q @ q.index_select(0, j)[0]) * (h @ h.index_select(0, j)[0])
        d.mul_(-2.0).add_(gsq).add_(gsq.index_select(0, j))
        torch.minimum(mind, d.clamp_min_(0.0), out=mind)
        mind.index_fill_(0, j, 0.0)
        alive.index_fill_(0, j, False)
        cum = torch.cumsum(mind, 0, dtype=torch.float64)
        total = cum[-1]
        target = torch.minimum(u[t - 1] * total, torch.nextafter(total, total.new_zeros(())))
        nxt = torch.searchsorted(cum, target.view(1), right=True)
        fallback = torch.argmax(alive.to(torch.uint8)).view(1)
        j = torch.where(total > 0, nxt, fallback)
        picks[t:t + 1] = j
        vals[t:t + 1] = mind.index_select(0, j).double()
        if progress is not None and throttle.ready():
            report(progress, "badge", t + 1, k)
    report(progress, "badge", k, k)
    return picks.cpu().numpy(), vals.clamp_min(0).sqrt().cpu().numpy()
