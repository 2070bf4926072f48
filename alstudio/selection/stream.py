"""Stream mode: decide for each newly imported scan, one at a time, whether to ask for a label.

A scan is worth a label when the model is unsure about it (uncertainty) or when it is unlike
anything labeled or already accepted (novelty: Euclidean distance to the nearest such
embedding, which catches a new scanner or protocol even when the model is confidently wrong).
Both are divided by their threshold, so a value of 1 means "exactly at the threshold":

* ``rule="or"`` (default): score = max(u / τ_u, novelty / τ_n); either reason suffices;
* ``rule="and"``: score = min(...); both are needed (a stricter, smaller queue).

The scan is taken when score ≥ 1, it is farther than ``min_novelty`` from every accepted or
labeled scan (a near-duplicate guard: the second copy of a series teaches nothing new, and an
exact duplicate is never taken), and the label budget is not spent. Accepted scans join the
reference set at once, so a burst of similar new scans is accepted once, not fifty times.
Budget is a hard cap: ``decide`` never accepts beyond it.

:meth:`StreamSelector.fit_thresholds` calibrates the thresholds on the current pool: it finds
the quantile q such that taking τ_u and τ_n at q of the pool's own values would accept about
``accept_fraction`` of it under the chosen rule. The stream's actual rate is lower when new
scans resemble each other, since accepted scans lower their neighbours' novelty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.selection.kcenter import nearest_distances
from alstudio.selection.pool import ArrayLike, check_probs, to_numpy
from alstudio.selection.ranking import fmt
from alstudio.selection.uncertainty import UNCERTAINTY_MEASURES, uncertainty


@dataclass(frozen=True)
class Decision:
    """Whether to ask for a label, the combined score (≥ 1 means over threshold), and why."""

    take: bool
    score: float
    reason: str


def _normalised_uncertainty(probs: np.ndarray, measure: str) -> np.ndarray:
    """Uncertainty scaled to [0, 1]: entropy / log C, 1 - margin, or 1 - p_top."""
    u = uncertainty(probs, measure)
    if measure == "entropy":
        u = u / np.float32(np.log(probs.shape[1]))
    return u


class StreamSelector:
    """Per-scan accept/skip decisions under a label budget (see the module docstring)."""

    def __init__(self, threshold_uncertainty: float, threshold_novelty: float, budget: int, *,
                 uncertainty_measure: str = "margin", rule: str = "or",
                 min_novelty: float = 0.0, reference: ArrayLike | None = None) -> None:
        if uncertainty_measure not in UNCERTAINTY_MEASURES:
            raise AlstudioError(f"Unknown uncertainty measure {uncertainty_measure!r}.",
                                hint=f"Choose one of: {', '.join(UNCERTAINTY_MEASURES)}.")
        if rule not in ("or", "and"):
            raise AlstudioError(f"Unknown stream rule {rule!r}.", hint="Use 'or' or 'and'.")
        if threshold_uncertainty <= 0 or threshold_novelty <= 0 or budget < 0:
            raise AlstudioError("Stream thresholds must be positive and the budget >= 0.")
        self.threshold_uncertainty = float(threshold_uncertainty)
        self.threshold_novelty = float(threshold_novelty)
        self.budget = int(budget)
        self.uncertainty_measure = uncertainty_measure
        self.rule = rule
        self.min_novelty = float(min_novelty)
        self.accepted = 0
        self._ref = np.empty((0, 0), dtype=np.float32)
        self._n_ref = 0
        if reference is not None:
            ref = to_numpy(reference, np.float32)
            ref = ref.reshape(-1, ref.shape[-1])
            self._ref = np.concatenate([ref, np.empty((64, ref.shape[1]), np.float32)])
            self._n_ref = ref.shape[0]

    @property
    def remaining(self) -> int:
        """Labels still allowed by the budget."""
        return self.budget - self.accepted

    def _add(self, row: np.ndarray) -> None:
        if self._ref.shape[1] != row.shape[0]:
            if self._n_ref:
                raise AlstudioError("Embedding size changed within one stream.")
            self._ref = np.empty((64, row.shape[0]), dtype=np.float32)
        if self._n_ref == self._ref.shape[0]:
            self._ref = np.concatenate([self._ref, np.empty_like(self._ref)])
        self._ref[self._n_ref] = row
        self._n_ref += 1

    def novelty(self, embedding_row: np.ndarray) -> float:
        """Distance to the nearest labeled or accepted embedding (inf when there is none)."""
        if self._n_ref == 0:
            return float("inf")
        best = np.inf
        for s in range(0, self._n_ref, 8192):  # bounded temporaries, exact differences
            diff = self._ref[s:min(s + 8192, self._n_ref)] - embedding_row
            best = min(best, float(np.einsum("ij,ij->i", diff, diff).min()))
        return float(np.sqrt(best))

    def decide(self, prob_row: ArrayLike, embedding_row: ArrayLike) -> Decision:
        """Decide for one new scan; an accepted scan counts against the budget at once."""
        p = to_numpy(prob_row, np.float32).reshape(1, -1)
        h = to_numpy(embedding_row, np.float32).reshape(-1)
        check_probs(p, "prob_row")
        u = float(_normalised_uncertainty(p, self.uncertainty_measure)[0])
        nov = self.novelty(h)
        ru, rn = u / self.threshold_uncertainty, nov / self.threshold_novelty
        score = max(ru, rn) if self.rule == "or" else min(ru, rn)
        what = f"uncertainty {fmt(u)} (τ {fmt(self.threshold_uncertainty)}), " \
               f"novelty {fmt(nov)} (τ {fmt(self.threshold_novelty)})"
        if score < 1.0:
            return Decision(False, score, f"below threshold: {what}")
        if nov <= self.min_novelty:
            return Decision(False, score, f"near-duplicate of a labeled or accepted scan "
                                          f"(distance {fmt(nov)} ≤ {fmt(self.min_novelty)})")
        if self.accepted >= self.budget:
            return Decision(False, score, f"label budget used up ({self.accepted}/{self.budget})")
        self.accepted += 1
        self._add(h)
        cause = "uncertain and novel" if ru >= 1 and rn >= 1 else (
            "uncertain" if ru >= 1 else "novel")
        return Decision(True, score, f"{cause}: {what}")

    @classmethod
    def fit_thresholds(cls, probs: ArrayLike, embeddings: ArrayLike, labeled: ArrayLike,
                       budget: int, *, accept_fraction: float = 0.05,
                       uncertainty_measure: str = "margin", rule: str = "or",
                       duplicate_quantile: float = 0.01) -> StreamSelector:
        """A selector whose thresholds would accept ~``accept_fraction`` of the current pool.

        ``labeled`` (bool mask) marks the reference set; the unlabeled rows are the sample of
        what the stream will bring. ``min_novelty`` is set to the ``duplicate_quantile`` of
        their novelty. With nothing labeled, novelty is undefined and only uncertainty is used.
        """
        p = to_numpy(probs, np.float32)
        e = to_numpy(embeddings, np.float32)
        lab = to_numpy(labeled).astype(bool)
        check_probs(p)
        if not 0 < accept_fraction <= 1:
            raise AlstudioError("accept_fraction must be in (0, 1].")
        rest = np.flatnonzero(~lab)
        if rest.size == 0:
            raise AlstudioError("Every pool item is labeled; nothing to calibrate on.")
        u = _normalised_uncertainty(p[rest], uncertainty_measure).astype(np.float64)
        if lab.any():
            nov = nearest_distances(e, rest, np.flatnonzero(lab)).astype(np.float64)
        else:
            nov = np.full(rest.size, np.inf)
        finite = np.isfinite(nov).all()

        def thresholds(q: float) -> tuple[float, float]:
            tu = float(np.quantile(u, q))
            tn = float(np.quantile(nov, q)) if finite else np.inf
            return max(tu, 1e-9), max(tn, 1e-9)

        def rate(q: float) -> float:
            tu, tn = thresholds(q)
            a, b = u >= tu, nov >= tn
            if not finite:
                return float(a.mean())
            return float((a | b).mean() if rule == "or" else (a & b).mean())

        lo, hi = 0.0, 1.0  # rate(q) falls as q grows: bisect for rate ≈ accept_fraction
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if rate(mid) > accept_fraction else (lo, mid)
        tu, tn = thresholds(hi)
        guard = float(np.quantile(nov, duplicate_quantile)) if finite else 0.0
        ref = e[lab] if lab.any() else None
        if not finite:
            tn = np.finfo(np.float64).max
            rule = "or"
        return cls(tu, tn, budget, uncertainty_measure=uncertainty_measure, rule=rule,
                   min_novelty=guard, reference=ref)
