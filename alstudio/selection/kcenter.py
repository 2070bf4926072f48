"""Exact greedy k-center (farthest-first traversal) with lazy bounds, memory bounded.

Greedy k-center (Sener & Savarese's core-set) repeatedly picks the candidate farthest from its
nearest centre. Done plainly, every pick reads all N x d embeddings once (one matrix-vector
product), so K picks cost K full passes: memory bandwidth is the floor.

We avoid most of those passes without changing a single pick. The nearest-centre distance of
an item only ever *shrinks* as centres are added, so a stale value is an upper bound. We keep:

* ``mind``: for every candidate, its squared distance to the centres applied so far
  (an upper bound on the true value, exact right after a *refresh*);
* a shortlist ``T`` of the ``top_size`` candidates with the largest bounds, gathered into a
  small contiguous block, whose distances we keep exact after every pick (``top_size`` x d
  work per pick, in cache);
* ``tau``, the largest bound outside ``T``.

If the best exact value in ``T`` beats ``tau`` by more than float32 rounding can blur
(``slack``), no candidate outside ``T`` can beat it, so it *is* the greedy pick. Otherwise we
refresh: apply all centres picked since the last refresh to every candidate in one blocked
matrix product (compute bound, several times faster per centre than matrix-vector
products), and rebuild ``T``. In the worst case (a refresh every pick) this costs what the
plain loop costs; on high-dimensional data a refresh is rarely needed. Candidates within
``slack`` of the best are compared on float64 distances, ties going to the lowest pool index,
so the picks match a float64 brute force even where float32 cannot tell two distances apart.

Distances use |a|² + |b|² - 2a·b on embeddings centred on their mean (in row blocks, never
modifying the caller's array): centring removes the common offset of ReLU features, which
would otherwise cancel catastrophically in float32. Nothing N x L, N x N or K x N is ever
built; working memory is a few row blocks plus O(N) vectors.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from alstudio.jobs import CancelToken, ProgressCallback, Throttle, check, report
from alstudio.selection.threads import blas_limit, blas_threads

_BLOCK_BYTES = 8 << 20  # bound on each row block / product buffer


def _pool_mean(emb: np.ndarray) -> np.ndarray:
    """Mean of an evenly strided sample of rows: any fixed vector keeps distances exact."""
    step = max(1, emb.shape[0] // 65536)
    return np.asarray(emb[::step].mean(axis=0, dtype=np.float64).astype(np.float32))


class _Rows:
    """Centred float32 copies of row subsets, one bounded block at a time."""

    def __init__(self, emb: np.ndarray, index: np.ndarray) -> None:
        self.emb = emb
        self.index = index  # candidate space -> pool index
        self.mu = _pool_mean(emb)
        d = emb.shape[1]
        self.block = max(1, _BLOCK_BYTES // (4 * d))
        self.contiguous = bool(index.size) and index[-1] - index[0] + 1 == index.size

    def gather(self, pool_idx: np.ndarray) -> np.ndarray:
        x = self.emb[pool_idx]
        x -= self.mu
        return np.asarray(x)

    def block_rows(self, s: int, e: int) -> np.ndarray:
        """Centred rows for candidate positions [s, e)."""
        if self.contiguous:
            o = int(self.index[0])
            return np.asarray(self.emb[o + s:o + e] - self.mu)
        return self.gather(self.index[s:e])


def _apply_centres(rows: _Rows, sq: np.ndarray, mind: np.ndarray, centres: np.ndarray,
                   cancel: CancelToken | None, *, fill_sq: bool = False) -> None:
    """mind <- min(mind, squared distance to each centre), by blocked matrix products.

    With ``fill_sq`` the candidates' squared norms are computed in the same pass.
    """
    n = mind.shape[0]
    cb = max(1, min(centres.shape[0], _BLOCK_BYTES // (4 * rows.block)))
    cent_blocks = [rows.gather(centres[j:j + cb]) for j in range(0, centres.shape[0], cb)] \
        if centres.size * rows.emb.shape[1] * 4 <= 4 * _BLOCK_BYTES else None
    for s in range(0, n, rows.block):
        check(cancel)
        e = min(n, s + rows.block)
        x = rows.block_rows(s, e)
        if fill_sq:
            np.einsum("ij,ij->i", x, x, out=sq[s:e])
        for j, c0 in enumerate(range(0, centres.shape[0], cb)):
            c = cent_blocks[j] if cent_blocks is not None else rows.gather(centres[c0:c0 + cb])
            g = x @ c.T
            g *= np.float32(-2.0)
            g += np.einsum("ij,ij->i", c, c)
            best = g.min(axis=1)
            best += sq[s:e]
            np.minimum(mind[s:e], best, out=mind[s:e])


class _Exact64:
    """Float64 nearest-centre distances for a few items, cached and updated incrementally.

    Used only to separate candidates whose float32 distances are too close to call. The
    centres are kept as a centred float64 matrix when it fits in 64 MB, else re-read in blocks.
    """

    def __init__(self, rows: _Rows, centres: np.ndarray, capacity: int) -> None:
        self.rows = rows
        d = rows.emb.shape[1]
        fits = capacity * d * 8 <= (64 << 20)
        self.mat = np.empty((capacity, d)) if fits else None
        self.sq = np.empty(capacity) if fits else None
        self.ids: list[int] = []
        self.n = 0
        self.cache: dict[int, tuple[float, int]] = {}
        for s in range(0, centres.size, 4096):
            self.add(centres[s:s + 4096])

    def add(self, pool_idx: np.ndarray) -> None:
        if self.mat is not None and self.sq is not None:
            x = self.rows.gather(pool_idx).astype(np.float64)
            self.mat[self.n:self.n + pool_idx.size] = x
            self.sq[self.n:self.n + pool_idx.size] = np.einsum("ij,ij->i", x, x)
        else:
            self.ids.extend(int(i) for i in pool_idx)
        self.n += pool_idx.size

    def _centres(self, start: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if self.mat is not None and self.sq is not None:
            yield self.mat[start:self.n], self.sq[start:self.n]
            return
        for s in range(start, self.n, 4096):
            c = self.rows.gather(np.asarray(self.ids[s:min(s + 4096, self.n)]))
            c = c.astype(np.float64)
            yield c, np.einsum("ij,ij->i", c, c)

    def values(self, positions: np.ndarray) -> np.ndarray:
        """Squared distance to the nearest centre for candidate ``positions``, in float64."""
        out = np.empty(positions.size)
        x = self.rows.gather(self.rows.index[positions]).astype(np.float64)
        sqx = np.einsum("ij,ij->i", x, x)
        for i, pos in enumerate(positions.tolist()):
            best, done = self.cache.get(pos, (np.inf, 0))
            for c, csq in self._centres(done):
                best = min(best, float((csq - 2.0 * (c @ x[i])).min()) + sqx[i])
            self.cache[pos] = (best, self.n)
            out[i] = best
        return out


def _max_sq_norm(rows: _Rows, idx: np.ndarray) -> float:
    out = 0.0
    for s in range(0, idx.size, rows.block):
        x = rows.gather(idx[s:s + rows.block])
        out = max(out, float(np.einsum("ij,ij->i", x, x).max()))
    return out


def greedy_k_center(emb: np.ndarray, k: int, candidates: np.ndarray, centres: np.ndarray,
                    *, first: int | None = None, top_size: int | None = None,
                    progress: ProgressCallback | None = None,
                    cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Greedy k-center picks among ``candidates`` with ``centres`` as the initial centres.

    ``emb`` is (N, d) float32 C-contiguous; ``candidates`` a bool mask (N,); ``centres`` pool
    indices. With no centres, ``first`` (a candidate's pool index) is the seed pick. Returns the
    picks (pool indices, in pick order) and each pick's distance to its nearest centre at the
    time it was picked (``inf`` for a seed pick). ``top_size`` sets the initial shortlist size
    (default: max(1024, min(2k, N/8))); any value gives the same picks, only the speed changes.

    Float32 distances are trusted only to within ``slack`` (far above their rounding error):
    the shortlist is accepted only when its best beats the outside bound by that much, and
    candidates within ``slack`` of the best are compared on float64 distances. So the picks
    are those of a float64 brute force even where distances differ by less than float32
    resolves (unless such a tie group outgrows a 64 MB shortlist).
    """
    cand = np.flatnonzero(candidates)
    n = cand.size
    k = min(k, n)
    picks = np.empty(k, dtype=np.int64)
    dists = np.empty(k, dtype=np.float64)
    if k == 0:
        return picks, dists
    rows = _Rows(emb, cand)
    mind = np.full(n, np.inf, dtype=np.float32)
    sq = np.empty(n, dtype=np.float32)
    start = 0
    if not centres.size:
        if first is None:
            raise ValueError("a seed pick is needed when there are no centres")
        p0 = int(np.searchsorted(cand, first))
        if p0 >= n or cand[p0] != first:
            raise ValueError("the seed pick must be a candidate")
        centres = np.array([first], dtype=np.int64)
        picks[0], dists[0] = first, np.inf
        mind[p0] = -np.inf
        start = 1
    _apply_centres(rows, sq, mind, centres, cancel, fill_sq=True)
    # float32 |a|²+|b|²-2ab errs by ~1e-7·(|a|²+|b|²) here (5e-7 at most measured on
    # d = 512); the margin is several times that.
    slack = 4e-6 * (float(sq.max()) + _max_sq_norm(rows, centres))
    exact64 = _Exact64(rows, centres, centres.size + k)
    m_target = min(n, top_size if top_size is not None else max(1024, min(2 * k, n // 8)))
    m_cap = max(m_target, (64 << 20) // (4 * emb.shape[1]))
    pending: list[int] = []
    throttle = Throttle()
    t_pos = np.empty(0, dtype=np.int64)
    exact = np.empty(0, dtype=np.float32)
    xt = np.empty((0, emb.shape[1]), dtype=np.float32)
    sq_t = exact
    bound = np.inf  # the true distance of every candidate outside the shortlist is below this
    threads = blas_threads()
    with blas_limit(1):  # small per-pick products: see alstudio.selection.threads
        for t in range(start, k):
            check(cancel)
            j = int(np.argmax(exact)) if exact.size else -1
            if j < 0 or not exact[j] > bound:
                # Refresh: apply pending centres everywhere, rebuild the exact shortlist.
                if pending:
                    with blas_limit(threads):  # a big product: worth the threads
                        _apply_centres(rows, sq, mind, np.asarray(pending, dtype=np.int64),
                                       cancel)
                    pending.clear()
                alive = n - t
                m = min(m_target, alive)
                while True:
                    if m < n:
                        part = np.argpartition(mind, n - m - 1)
                        t_pos = np.sort(part[n - m:])
                        tau = float(mind[part[n - m - 1]])
                    else:
                        t_pos, tau = np.arange(n), -np.inf
                    bound = tau + slack if m < alive else -np.inf
                    if 2 * m > m_cap or m >= alive or mind[t_pos].max() > bound:
                        break
                    m = min(alive, 2 * m)  # a near-tie at the shortlist's edge: widen it
                m_target = max(m_target, m)
                exact = mind[t_pos].copy()
                xt = rows.gather(cand[t_pos])
                sq_t = sq[t_pos]
                j = int(np.argmax(exact))
            close = np.flatnonzero(exact >= exact[j] - slack)
            value = float(exact[j])
            if close.size > 1:  # too close for float32: decide on float64 (lowest index on ties)
                vals = exact64.values(t_pos[close])
                best = int(np.argmax(vals))
                j, value = int(close[best]), float(vals[best])
            p = int(t_pos[j])
            picks[t] = cand[p]
            dists[t] = float(np.sqrt(max(value, 0.0)))
            c = xt[j].copy()
            d = xt @ c
            d *= np.float32(-2.0)
            d += sq_t
            d += sq_t[j]
            np.minimum(exact, d, out=exact)
            exact[j] = -np.inf
            mind[p] = -np.inf
            pending.append(int(cand[p]))
            exact64.add(cand[p:p + 1])
            if progress is not None and throttle.ready():
                report(progress, "core-set", t + 1, k)
    report(progress, "core-set", k, k)
    return picks, dists


def nearest_distances(emb: np.ndarray, rows_idx: np.ndarray, centres: np.ndarray,
                      cancel: CancelToken | None = None) -> np.ndarray:
    """Distance from each row in ``rows_idx`` to its nearest row in ``centres`` (inf if none)."""
    rows = _Rows(emb, rows_idx)
    mind = np.full(rows_idx.size, np.inf, dtype=np.float32)
    sq = np.empty(rows_idx.size, dtype=np.float32)
    _apply_centres(rows, sq, mind, centres, cancel, fill_sq=True)
    return np.sqrt(np.maximum(mind, 0.0, out=mind), out=mind)
