"""Disagreement strategies over a committee: BALD, vote entropy, KL to the consensus.

``committee`` is (M, N, C): M sets of probabilities for the same pool, from MC-dropout passes
(BALD's setting) or from an ensemble (query by committee). All three scores are computed in
row blocks so the temporaries stay small whatever M is.

Note that with the consensus taken as the members' mean, the mean KL divergence of members to
the consensus (McCallum & Nigam) equals the mutual information BALD uses,
H(mean p) - mean H(p): the two names give the same ranking and are kept because users know
them from different literatures. Vote entropy only counts argmax votes, so it is coarser and
has many ties (broken by pool index).
"""

from __future__ import annotations

import numpy as np

from alstudio.selection.base import RunContext, Selection, Strategy
from alstudio.selection.catalogue import register
from alstudio.selection.pool import Pool
from alstudio.selection.ranking import fmt, top_k
from alstudio.selection.uncertainty import apply_density, with_typicality

_BLOCK = 1 << 14
_TINY = np.float32(1e-30)


def _xlogx(p: np.ndarray) -> np.ndarray:
    return np.asarray(p * np.log(np.maximum(p, _TINY)))


def bald(committee: np.ndarray) -> np.ndarray:
    """Mutual information between prediction and model: H(mean p) - mean H(p)."""
    n = committee.shape[1]
    out = np.empty(n, dtype=np.float32)
    for s in range(0, n, _BLOCK):
        blk = committee[:, s:s + _BLOCK]
        mean = blk.mean(axis=0)
        h_mean = -_xlogx(mean).sum(axis=1)
        mean_h = -_xlogx(blk).sum(axis=2).mean(axis=0)
        out[s:s + blk.shape[1]] = np.maximum(h_mean - mean_h, 0.0)
    return out


def vote_entropy(committee: np.ndarray) -> np.ndarray:
    """Entropy of the distribution of the members' argmax votes."""
    m, n, c = committee.shape
    out = np.empty(n, dtype=np.float32)
    for s in range(0, n, _BLOCK):
        votes = committee[:, s:s + _BLOCK].argmax(axis=2)  # (M, b)
        b = votes.shape[1]
        counts = np.zeros((b, c), dtype=np.float32)
        np.add.at(counts, (np.broadcast_to(np.arange(b), votes.shape), votes), 1.0)
        out[s:s + b] = -_xlogx(counts / np.float32(m)).sum(axis=1)
    return out


def kl_to_consensus(committee: np.ndarray) -> np.ndarray:
    """Mean over members of KL(p_m || mean p)."""
    n = committee.shape[1]
    out = np.empty(n, dtype=np.float32)
    for s in range(0, n, _BLOCK):
        blk = committee[:, s:s + _BLOCK]
        log_mean = np.log(np.maximum(blk.mean(axis=0), _TINY))
        kl = (_xlogx(blk) - blk * log_mean[None]).sum(axis=2)
        out[s:s + blk.shape[1]] = np.maximum(kl.mean(axis=0), 0.0)
    return out


class _CommitteeStrategy(Strategy):
    needs = frozenset({"committee"})

    def score(self, committee: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def reason(self, committee: np.ndarray, i: int, score: float) -> str:
        raise NotImplementedError

    def run(self, pool: Pool, k: int, ctx: RunContext, *,
            density_weight: float = 0.0) -> Selection:
        assert pool.committee is not None
        raw = self.score(pool.committee)
        scores = raw.copy() if density_weight else raw
        dens = apply_density(scores, pool, density_weight)
        idx = top_k(scores, k, pool.candidates)
        reasons = [self.reason(pool.committee, int(i), float(raw[i])) for i in idx]
        reasons = with_typicality(reasons, idx, dens)
        return Selection(idx, scores[idx].astype(np.float64), reasons, self.name)


def _vote_split(committee: np.ndarray, i: int) -> str:
    votes = np.bincount(committee[:, i].argmax(axis=1), minlength=committee.shape[2])
    top = np.argsort(-votes, kind="stable")[:2]
    return f"{votes[top[0]]}/{votes[top[1]]} votes for class {top[0]} vs {top[1]}"


@register
class Bald(_CommitteeStrategy):
    name = "bald"
    title = "BALD: mutual information over MC-dropout passes"

    def score(self, committee: np.ndarray) -> np.ndarray:
        return bald(committee)

    def reason(self, committee: np.ndarray, i: int, score: float) -> str:
        return f"mutual information {fmt(score)} (the passes disagree)"


@register
class VoteEntropy(_CommitteeStrategy):
    name = "vote_entropy"
    title = "Query by committee: entropy of the members' votes"

    def score(self, committee: np.ndarray) -> np.ndarray:
        return vote_entropy(committee)

    def reason(self, committee: np.ndarray, i: int, score: float) -> str:
        return f"vote entropy {fmt(score)} ({_vote_split(committee, i)})"


@register
class KLConsensus(_CommitteeStrategy):
    name = "kl_consensus"
    title = "Query by committee: mean KL of members to the consensus"

    def score(self, committee: np.ndarray) -> np.ndarray:
        return kl_to_consensus(committee)

    def reason(self, committee: np.ndarray, i: int, score: float) -> str:
        return f"mean KL to consensus {fmt(score)}"
