"""auto's choice per stage, and the stream selector's budget and calibration."""

from __future__ import annotations

import numpy as np
import pytest

from alstudio.errors import AlstudioError
from alstudio.selection import AutoThresholds, StreamSelector, choose_strategy, select
from tests.selection.conftest import SmallPool, make_pool


@pytest.mark.parametrize("kw,expected", [
    ({"has_probs": False, "has_embeddings": True, "n_labeled": 0}, "coreset"),
    ({"has_probs": False, "has_embeddings": False, "n_labeled": 0}, "random"),
    ({"has_probs": True, "has_embeddings": True, "n_labeled": 5}, "coreset"),
    ({"has_probs": True, "has_embeddings": True, "n_labeled": 100}, "coreset"),
    ({"has_probs": True, "has_embeddings": True, "n_labeled": 500}, "badge"),
    ({"has_probs": True, "has_embeddings": True, "n_labeled": 500, "k": 5000},
     "coreset_uncertainty"),
    ({"has_probs": True, "has_embeddings": True, "n_labeled": 500, "n_pool": 500_000},
     "margin"),
    ({"has_probs": True, "has_embeddings": False, "n_labeled": 500}, "margin"),
])
def test_auto_stages(kw: dict, expected: str) -> None:
    args = {"n_pool": 20_000, "k": 50, "embedding_dim": 512, **kw}
    name, why = choose_strategy(**args)
    assert name == expected and why


def test_auto_thresholds_are_parameters() -> None:
    th = AutoThresholds(large_pool=1000, large_pool_diversify=True)
    name, _ = choose_strategy(n_pool=5000, n_labeled=500, k=10, has_probs=True,
                              has_embeddings=True, embedding_dim=16, thresholds=th)
    assert name == "coreset_uncertainty"


def test_auto_runs_the_choice_and_explains(pool: SmallPool) -> None:
    cold = select("auto", k=5, embeddings=pool.embeddings)
    assert cold.strategy == "coreset" and "Cold start" in cold.explanation
    direct = select("coreset", k=5, embeddings=pool.embeddings)
    np.testing.assert_array_equal(cold.indices, direct.indices)
    later = select("auto", k=5, probs=pool.probs, embeddings=pool.embeddings,
                   labeled=pool.labeled, small_budget_labels=10)
    assert later.strategy == "badge"


def test_stream_never_exceeds_budget(pool: SmallPool) -> None:
    s = StreamSelector(1e-6, 1e-6, budget=3)
    decisions = [s.decide(pool.probs[i], pool.embeddings[i]) for i in range(20)]
    assert sum(d.take for d in decisions) == 3 and s.remaining == 0
    assert "budget" in decisions[-1].reason and not decisions[-1].take


def test_stream_novelty_uses_accepted_scans() -> None:
    s = StreamSelector(threshold_uncertainty=1.0, threshold_novelty=1.0, budget=10,
                       reference=np.zeros((1, 2), np.float32))
    confident = np.array([0.99, 0.01], np.float32)
    far = np.array([5.0, 0.0], np.float32)
    first = s.decide(confident, far)
    assert first.take and first.reason.startswith("novel")
    again = s.decide(confident, far + 0.1)  # close to the scan just accepted
    assert not again.take and again.score < 1
    assert not s.decide(confident, np.array([0.5, 0.0], np.float32)).take
    assert s.decide(np.array([0.5, 0.5], np.float32), np.array([0.5, 0.0], np.float32)).take


def test_stream_and_rule_and_duplicate_guard() -> None:
    s = StreamSelector(0.5, 1.0, budget=10, rule="and", min_novelty=0.0,
                       reference=np.zeros((1, 2), np.float32))
    unsure = np.array([0.5, 0.5], np.float32)
    assert not s.decide(unsure, np.array([0.2, 0.0], np.float32)).take  # not novel
    assert s.decide(unsure, np.array([3.0, 0.0], np.float32)).take
    g = StreamSelector(0.5, 1.0, budget=10, min_novelty=0.5,
                       reference=np.zeros((1, 2), np.float32))
    d = g.decide(unsure, np.array([0.1, 0.0], np.float32))
    assert not d.take and "near-duplicate" in d.reason
    exact = StreamSelector(0.5, 1.0, budget=10, reference=np.zeros((1, 2), np.float32))
    assert not exact.decide(unsure, np.zeros(2, np.float32)).take  # an exact duplicate


@pytest.mark.parametrize("rule", ["or", "and"])
def test_fit_thresholds_hits_the_fraction(rule: str) -> None:
    p = make_pool(n=3000, n_labeled=200, seed=2)
    s = StreamSelector.fit_thresholds(p.probs, p.embeddings, p.labeled, budget=10_000,
                                      accept_fraction=0.1, rule=rule, duplicate_quantile=0.0)
    rest = np.flatnonzero(~p.labeled)
    # Judged against the labeled set only (no accepted scans), ~10% of the pool pass.
    frozen = StreamSelector(s.threshold_uncertainty, s.threshold_novelty, 0, rule=rule,
                            reference=p.embeddings[p.labeled])
    passing = np.mean([frozen.decide(p.probs[i], p.embeddings[i]).score >= 1 for i in rest])
    assert passing == pytest.approx(0.1, abs=0.01)
    taken = sum(s.decide(p.probs[i], p.embeddings[i]).take for i in rest)
    assert 0 < taken <= 0.1 * rest.size + 30


def test_fit_thresholds_cold_start_uses_uncertainty_only() -> None:
    p = make_pool(n=500, n_labeled=0)
    s = StreamSelector.fit_thresholds(p.probs, p.embeddings, np.zeros(500, bool), budget=50)
    assert s.decide(p.probs[0], p.embeddings[0]).take  # nothing seen yet: novel
    with pytest.raises(AlstudioError):
        StreamSelector(0.5, 1.0, budget=1, rule="xor")
