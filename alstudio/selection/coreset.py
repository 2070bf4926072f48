"""Core-set (greedy k-center) and the default strategy, uncertainty shortlist + core-set.

``coreset`` covers the embedding space: each pick is the candidate farthest from everything
labeled or already picked. With nothing labeled yet it is seeded by the candidate nearest the
candidates' mean (``init="mean"``, a typical image, deterministic) or by a seeded random
candidate (``init="random"``).

``coreset_uncertainty`` is :data:`alstudio.selection.DEFAULT_STRATEGY`. It shortlists the
``shortlist_factor`` x k most uncertain candidates, then picks k of them farthest-first from
the labeled set (and from each other). Why this design rather than a weighted sum:

* top-k uncertainty alone fills a batch with near-duplicates (neighbouring slices, repeat
  scans of one patient) because they share one confusing feature; the k-center step spreads
  the batch out. Core-set alone spends labels on outliers the model already gets right.
  Shortlist-then-diversify (Zhdanov 2019; Citovsky et al. 2021, "Cluster-Margin") gets both;
* it has no exchange rate between a probability and a distance to tune per dataset, and both
  parameters have a plain meaning: how many times k to shortlist (10, as Zhdanov), and which
  uncertainty measure (margin: robust with many classes, an established strong baseline);
* it is exact and deterministic (no sampling), and cheap at any pool size: one O(N·C) pass
  plus a k-center over the shortlist, independent of N;
* each pick has a two-part reason a reader can check: "margin 0.04; far from labeled (d=3.1)".
"""

from __future__ import annotations

import math

import numpy as np
import torch

from alstudio.errors import AlstudioError
from alstudio.selection.base import RunContext, Selection, Strategy
from alstudio.selection.catalogue import register
from alstudio.selection.device import greedy_k_center_torch
from alstudio.selection.kcenter import greedy_k_center
from alstudio.selection.pool import Pool
from alstudio.selection.random_share import random_picks
from alstudio.selection.ranking import fmt, top_k
from alstudio.selection.rare_share import rare_picks
from alstudio.selection.uncertainty import apply_density, uncertainty


def nearest_to_mean(pool: Pool, candidates: np.ndarray) -> int:
    """Pool index of the candidate closest to the candidates' mean embedding."""
    cand = np.flatnonzero(candidates)
    if pool.on_device:
        assert pool.embeddings_device is not None
        x = pool.embeddings_device[torch.as_tensor(cand, device=pool.embeddings_device.device)]
        centre = x.double().mean(0).float()
        return int(cand[int(torch.argmin(((x - centre) ** 2).sum(1)))])
    emb = pool.embeddings
    block = 1 << 14
    total = np.zeros(emb.shape[1], dtype=np.float64)
    for s in range(0, cand.size, block):
        total += emb[cand[s:s + block]].sum(axis=0, dtype=np.float64)
    mu = (total / cand.size).astype(np.float32)
    best, best_d = -1, np.inf
    for s in range(0, cand.size, block):
        diff = emb[cand[s:s + block]] - mu
        d = np.einsum("ij,ij->i", diff, diff)
        j = int(np.argmin(d))
        if d[j] < best_d:
            best, best_d = int(cand[s + j]), float(d[j])
    return best


def run_k_center(pool: Pool, k: int, candidates: np.ndarray, first: int | None,
                 ctx: RunContext, top_size: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Greedy k-center on the device the embeddings are on, labeled items as centres."""
    centres = pool.labeled_indices()
    if pool.on_device:
        assert pool.embeddings_device is not None
        return greedy_k_center_torch(pool.embeddings_device, k, candidates, centres,
                                     first=first, progress=ctx.progress, cancel=ctx.cancel)
    return greedy_k_center(pool.embeddings, k, candidates, centres, first=first,
                           top_size=top_size, progress=ctx.progress, cancel=ctx.cancel)


def _distance_reason(d: float, anything_labeled: bool) -> str:
    if math.isinf(d):
        return "seed pick: nothing labeled yet"
    what = "labeled set and earlier picks" if anything_labeled else "earlier picks"
    return f"far from {what} (d={fmt(d)})"


@register
class CoreSet(Strategy):
    """Greedy k-center on the embeddings (Sener & Savarese, 2018)."""

    name = "coreset"
    title = "Core-set: cover the embedding space"
    needs = frozenset({"embeddings"})

    def run(self, pool: Pool, k: int, ctx: RunContext, *, init: str = "mean",
            top_size: int | None = None) -> Selection:
        first = None
        explanation = ""
        if not pool.labeled.any():
            if init == "mean":
                first = nearest_to_mean(pool, pool.candidates)
                explanation = "Nothing labeled yet: seeded by the item closest to the mean."
            elif init == "random":
                first = int(ctx.rng().choice(pool.candidate_indices()))
                explanation = f"Nothing labeled yet: seeded by a random item (seed {ctx.seed})."
            else:
                raise AlstudioError(f"Unknown core-set init {init!r}.",
                                    hint="Use init='mean' or init='random'.")
        picks, dist = run_k_center(pool, k, pool.candidates, first, ctx, top_size)
        lab = bool(pool.labeled.any())
        reasons = [_distance_reason(float(d), lab) for d in dist]
        if first is not None and reasons:
            reasons[0] = ("seed pick: closest to the mean (nothing labeled yet)" if init == "mean"
                          else "seed pick: random (nothing labeled yet)")
        return Selection(picks, dist, reasons, self.name, explanation)


@register
class CoreSetUncertainty(Strategy):
    """Shortlist the most uncertain candidates, then core-set among them (the default)."""

    name = "coreset_uncertainty"
    title = "Uncertain and diverse: uncertainty shortlist, then core-set"
    needs = frozenset({"probs", "embeddings"})

    def run(self, pool: Pool, k: int, ctx: RunContext, *, uncertainty_measure: str = "margin",
            shortlist_factor: float = 10.0, density_weight: float = 0.0,
            top_size: int | None = None, rare_share: float = 0.0,
            random_share: float = 0.0) -> Selection:
        assert pool.probs is not None
        if shortlist_factor < 1:
            raise AlstudioError("shortlist_factor must be at least 1.",
                                hint="It is how many times k uncertain items to shortlist.")
        rare, target = rare_picks(pool, k, rare_share)
        drawn = random_picks(pool, k - rare.size, random_share, ctx, rare)
        if not rare.size and not drawn.size:
            return self._pick(pool, k, ctx, rare, uncertainty_measure, shortlist_factor,
                              density_weight, top_size)
        taken = np.concatenate([rare, drawn]).astype(np.int64)
        rest = self._pick(pool, k - taken.size, ctx, taken, uncertainty_measure,
                          shortlist_factor, density_weight, top_size)
        reasons = [f"p(class {target}) {fmt(float(pool.probs[i, target]))}; "
                   f"share kept for the rarest class" for i in rare]
        reasons += ["drawn at random: the share that keeps the labels a fair sample"] * drawn.size
        scores = np.concatenate([pool.probs[rare, target].astype(np.float64),
                                 np.zeros(drawn.size), rest.scores.astype(np.float64)])
        said = []
        if rare.size:
            said.append(f"{rare.size} of the batch: the candidates most likely to be class "
                        f"{target}, the one with the fewest labels. ")
        if drawn.size:
            said.append(f"{drawn.size} drawn at random (seed {ctx.seed}), so the labeled set "
                        f"stays partly a fair sample of the pool. ")
        return Selection(np.concatenate([taken, rest.indices]).astype(np.int64), scores,
                         reasons + rest.reasons, self.name, "".join(said) + rest.explanation,
                         {**rest.params, "rare": int(rare.size), "random": int(drawn.size)})

    def _pick(self, pool: Pool, k: int, ctx: RunContext, taken: np.ndarray,
              uncertainty_measure: str, shortlist_factor: float, density_weight: float,
              top_size: int | None) -> Selection:
        """The uncertainty shortlist and core-set among it, leaving out ``taken``."""
        assert pool.probs is not None
        free = pool.candidates.copy()
        free[taken] = False
        if k <= 0 or not free.any():
            return Selection(np.empty(0, dtype=np.int64), np.empty(0), [], self.name, "",
                             {"shortlist": 0})
        raw = uncertainty(pool.probs, uncertainty_measure)
        scores = raw.copy() if density_weight else raw
        apply_density(scores, pool, density_weight)
        m = math.ceil(shortlist_factor * k)
        shortlist = top_k(scores, m, free)
        mask = np.zeros(pool.n, dtype=bool)
        mask[shortlist] = True
        lab = bool(pool.labeled.any())
        first = None if lab else int(shortlist[0])
        picks, dist = run_k_center(pool, k, mask, first, ctx, top_size)
        shown = 1.0 - raw if uncertainty_measure == "margin" else raw
        label = {"margin": "margin", "entropy": "entropy",
                 "least_confidence": "uncertainty"}[uncertainty_measure]
        reasons = [f"{label} {fmt(float(shown[i]))}; {_distance_reason(float(d), lab)}"
                   for i, d in zip(picks, dist, strict=True)]
        if first is not None and reasons:
            reasons[0] = f"{label} {fmt(float(shown[picks[0]]))}; seed pick: most uncertain"
        explanation = (f"Shortlisted the {shortlist.size} most uncertain candidates by "
                       f"{uncertainty_measure}, then picked {len(picks)} of them farthest-first "
                       f"from the labeled set and each other.")
        return Selection(picks, dist, reasons, self.name, explanation,
                         {"shortlist": int(shortlist.size)})
