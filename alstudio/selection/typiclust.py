"""TypiClust: typical and diverse first picks on a learned representation.

With a handful of labels the most useful items are not the uncertain or the outlying ones but
the *typical* ones, each from a different region of the data (Hacohen et al. 2022, "Active
learning on a budget"). TypiClust clusters the features into (labeled + k) groups with
k-means, and from each of the largest groups that hold no label yet takes its most typical
member: the one with the smallest mean distance to its nearest neighbours. On
self-supervised features this beats core-set and random at tiny budgets; on raw-pixel PCA it
would only find the commonest brightness.
"""

from __future__ import annotations

import numpy as np

from alstudio.jobs import check
from alstudio.selection.base import RunContext, Selection, Strategy
from alstudio.selection.catalogue import register
from alstudio.selection.pool import Pool
from alstudio.selection.ranking import fmt


def kmeans(x: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 30
           ) -> np.ndarray:
    """Cluster ids (N,) from Lloyd's k-means with k-means++ seeding (deterministic per rng)."""
    n = x.shape[0]
    k = max(1, min(k, n))
    sq = np.einsum("ij,ij->i", x, x)
    centres = [int(rng.integers(n))]
    d2 = np.maximum(sq - 2 * x @ x[centres[0]] + sq[centres[0]], 0)
    for _ in range(1, k):
        total = d2.sum()
        pick = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centres.append(pick)
        d2 = np.minimum(d2, np.maximum(sq - 2 * x @ x[pick] + sq[pick], 0))
    c = x[centres].astype(np.float64)
    assign = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        dist = sq[:, None] - 2 * x @ c.T + np.einsum("ij,ij->i", c, c)[None]
        new = dist.argmin(axis=1)
        if _ and np.array_equal(new, assign):
            break
        assign = new
        for j in range(k):
            members = assign == j
            if members.any():
                c[j] = x[members].mean(axis=0)
    return assign


def typicality(x: np.ndarray, neighbours: int = 20) -> np.ndarray:
    """1 / mean distance to the ``neighbours`` nearest other rows (higher = more typical)."""
    sq = np.einsum("ij,ij->i", x, x)
    d = np.sqrt(np.maximum(sq[:, None] - 2 * x @ x.T + sq[None], 0))
    m = min(neighbours, x.shape[0] - 1)
    if m < 1:
        return np.ones(x.shape[0])
    nearest = np.partition(d, m, axis=1)[:, 1:m + 1]
    return np.asarray(1.0 / (nearest.mean(axis=1) + 1e-8), dtype=np.float64)


@register
class TypiClust(Strategy):
    """Most typical member of each of the largest clusters without a label."""

    name = "typiclust"
    title = "TypiClust: typical items of uncovered clusters (cold start)"
    needs = frozenset({"embeddings"})

    def run(self, pool: Pool, k: int, ctx: RunContext, *, max_items: int = 5000,
            neighbours: int = 20) -> Selection:
        rng = ctx.rng()
        emb = pool.embeddings.astype(np.float64)
        n = pool.n
        labeled = pool.labeled_indices()
        cand = pool.candidate_indices()
        rows = np.arange(n)
        if n > max_items:  # cluster a seeded sample that keeps every labeled item
            rest = np.setdiff1d(rows, labeled)
            rows = np.sort(np.concatenate([labeled, rng.choice(rest, max_items - labeled.size,
                                                              replace=False)]))
        x = emb[rows]
        assign = kmeans(x, labeled.size + k, rng)
        check(ctx.cancel)
        is_cand = np.isin(rows, cand)
        covered = set(assign[np.isin(rows, labeled)].tolist())
        sizes = np.bincount(assign)
        order = sorted(range(sizes.size), key=lambda j: (j in covered, -sizes[j], j))
        picks: list[int] = []
        scores: list[float] = []
        reasons: list[str] = []
        for j in order:
            if len(picks) >= k:
                break
            members = np.flatnonzero((assign == j) & is_cand)
            if members.size == 0:
                continue
            typ = typicality(x[assign == j], neighbours)
            local = np.flatnonzero(is_cand[assign == j])
            best = int(local[np.argmax(typ[local])])
            item = int(rows[np.flatnonzero(assign == j)[best]])
            picks.append(item)
            scores.append(float(typ[best]))
            reasons.append(f"most typical of a cluster of {int(sizes[j])}"
                           f"{' (already labeled there)' if j in covered else ''}; "
                           f"typicality {fmt(float(typ[best]))}")
        if len(picks) < k:  # more picks than clusters with candidates: fill by typicality
            left = np.setdiff1d(cand, picks)
            if left.size > max_items:
                left = np.sort(rng.choice(left, max_items, replace=False))
            typ_all = typicality(emb[left], neighbours) if left.size > 1 else np.ones(left.size)
            for i in np.argsort(-typ_all, kind="stable")[:k - len(picks)]:
                picks.append(int(left[i]))
                scores.append(float(typ_all[i]))
                reasons.append("typical item (more picks than clusters)")
        explanation = (f"Clustered {rows.size} items into {sizes.size} groups and took the "
                       f"most typical unlabeled item of the largest groups without a label.")
        return Selection(np.asarray(picks, dtype=np.int64), np.asarray(scores), reasons,
                         self.name, explanation)
