"""Annotation cost from label events, and the class-balance drift rule."""

from __future__ import annotations

import pytest

from alstudio.evaluation.annotation_cost import annotation_cost
from alstudio.evaluation.class_balance import class_balance
from alstudio.project.records import LabelEvent, RoundInfo


def _event(n: int, reader: str, cls: str | None, seconds: float | None, at: str,
           decision: str = "label", retracted: bool = False) -> LabelEvent:
    return LabelEvent(id=n, item_id=n, annotator=reader, decision=decision, class_name=cls,
                      started_at=None, submitted_at=at, seconds_spent=seconds, note=None,
                      retracted=retracted)


def _round(number: int, started: str) -> RoundInfo:
    return RoundInfo(id=number, number=number, strategy="random", params={}, seed=0,
                     checkpoint_id=None, labels_used=0, metrics={}, explanation="",
                     device=None, started_at=started, finished_at=started)


def test_cost_medians_rates_totals_and_intervals() -> None:
    events = [
        _event(1, "a", "x", 2.0, "2026-01-01T10:00:00.000Z"),
        _event(2, "a", "y", 4.0, "2026-01-01T10:01:00.000Z"),
        _event(3, "b", "x", 10.0, "2026-01-01T11:00:00.000Z"),
        _event(4, "b", "x", 100.0, "2026-01-01T11:01:00.000Z"),  # left open over coffee
        _event(5, "b", "y", None, "2026-01-01T11:02:00.000Z"),  # given on the command line
        _event(6, "a", None, 3.0, "2026-01-01T11:03:00.000Z", decision="skip"),
        _event(7, "a", "x", 5.0, "2026-01-01T11:04:00.000Z", retracted=True),
    ]
    rounds = [_round(1, "2026-01-01T10:30:00.000Z")]
    cost = annotation_cost(events, rounds)
    assert cost["labels"] == 5 and cost["timed_labels"] == 4
    assert cost["median_s"] == 7.0  # median of 2, 4, 10, 100
    assert cost["total_reader_s"] == 124.0  # every timed event: skips and undone ones too
    assert cost["labels_per_hour"] == pytest.approx(3600 * 4 / 116, abs=0.1)
    assert cost["per_reader"]["a"] == {"labels": 2, "timed": 2, "median_s": 3.0,
                                       "total_s": 6.0}
    assert cost["per_reader"]["b"]["labels"] == 3 and cost["per_reader"]["b"]["median_s"] == 55
    assert cost["per_class"]["x"]["median_s"] == 10.0
    assert [(b["interval"], b["labels"]) for b in cost["over_time"]] == [
        ("before round 1", 2), ("since round 1", 3)]


def test_no_events_no_cost() -> None:
    cost = annotation_cost([], [])
    assert cost["labels"] == 0 and cost["median_s"] is None and cost["labels_per_hour"] is None


def test_balance_flags_a_missed_and_an_over_sampled_class() -> None:
    missed = class_balance(["rare", "common"], {"rare": 2, "common": 98}, [0.20, 0.80])
    assert missed["classes"]["rare"]["flag"] == "missed"
    assert missed["classes"]["rare"]["ratio"] == pytest.approx(0.1)
    assert "rare may be missed: 2% of the labels against 20%" in missed["warnings"][0]
    over = class_balance(["rare", "common"], {"rare": 45, "common": 55}, [0.10, 0.90])
    assert over["classes"]["rare"]["flag"] == "over-sampled"
    assert over["classes"]["common"]["flag"] is None
    assert len(over["warnings"]) == 1


def test_balance_stays_quiet_within_the_bounds_and_with_few_labels() -> None:
    fine = class_balance(["a", "b"], {"a": 35, "b": 65}, [0.27, 0.73])  # ratio 1.3
    assert fine["warnings"] == [] and fine["classes"]["a"]["ratio"] == pytest.approx(1.2963)
    few = class_balance(["a", "b"], {"a": 0, "b": 10}, [0.3, 0.7])  # under 20 labels
    assert few["warnings"] == []
    tiny_gap = class_balance(["a", "b", "c"], {"a": 1, "b": 50, "c": 49}, [0.03, 0.5, 0.47])
    assert tiny_gap["classes"]["a"]["flag"] is None  # ratio 0.33 but only 2 points apart
    unknown = class_balance(["a", "b"], {"a": 30, "b": 30}, None)
    assert unknown["classes"]["a"]["predicted_share"] is None and unknown["warnings"] == []
