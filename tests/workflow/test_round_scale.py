"""A round scores every labeled item and at most ``max_scored`` of the rest."""

from __future__ import annotations

from alstudio.workflow.round import LabelSnapshot, RoundConfig, scored_subset


def snapshot(decided: set[int]) -> LabelSnapshot:
    return LabelSnapshot(classes=["a", "b"], pool=[], test=[],
                         train_labels={i: 0 for i in decided}, test_labels={},
                         decided=decided)


def test_a_large_pool_is_sampled_and_keeps_every_decided_item() -> None:
    pool = list(range(1, 50_001))
    snap = snapshot({5, 17, 40_000})
    scored = scored_subset(pool, snap, RoundConfig(max_scored=1000, seed=3))
    assert len(scored) == 1003 and {5, 17, 40_000} <= set(scored)
    assert scored == sorted(scored)  # pool order kept
    assert scored == scored_subset(pool, snap, RoundConfig(max_scored=1000, seed=3))
    assert scored != scored_subset(pool, snap, RoundConfig(max_scored=1000, seed=4))


def test_a_small_pool_or_no_cap_scores_everything() -> None:
    pool = list(range(1, 501))
    assert scored_subset(pool, snapshot({1}), RoundConfig(max_scored=1000)) == pool
    assert scored_subset(pool, snapshot(set()), RoundConfig(max_scored=None)) == pool
