"""The stopping rule's arithmetic: slope in points per 100 labels, threshold, statuses."""

from __future__ import annotations

import pytest

from alstudio.evaluation.stopping import (
    DIMINISHING,
    KEEP_GOING,
    NO_TEST_SPLIT,
    TOO_FEW_ROUNDS,
    Point,
    gain_per_100,
    stopping_advice,
)


def test_gain_is_the_least_squares_slope_in_points_per_100_labels() -> None:
    # +0.02 per 100 labels exactly: 2 points per 100
    assert gain_per_100([Point(100, 0.70), Point(200, 0.72), Point(300, 0.74)]) == \
        pytest.approx(2.0)
    # least squares, not end points: (0.70, 0.75, 0.72) at 100/200/300 -> slope 0.01 / 100
    assert gain_per_100([Point(100, 0.70), Point(200, 0.75), Point(300, 0.72)]) == \
        pytest.approx(1.0)
    # uneven spacing: y = 0.5 + 0.0003 x exactly -> 3 points per 100 labels
    pts = [Point(x, 0.5 + 0.0003 * x) for x in (20, 50, 140)]
    assert gain_per_100(pts) == pytest.approx(3.0)
    with pytest.raises(ValueError):
        gain_per_100([Point(100, 0.7), Point(100, 0.8)])


def test_only_the_last_window_of_rounds_counts() -> None:
    steep_then_flat = [Point(20, 0.50), Point(40, 0.65), Point(60, 0.80),
                       Point(80, 0.800), Point(100, 0.8005), Point(120, 0.801)]
    advice = stopping_advice(steep_then_flat, threshold=0.5, window=3)
    assert advice["status"] == DIMINISHING
    assert advice["rounds_used"] == [80, 100, 120]
    assert advice["gain_points_per_100"] == pytest.approx(0.25)
    assert advice["text"].startswith("Diminishing returns: balanced accuracy gained +0.25")
    assert "80-120 labels" in advice["text"]
    wider = stopping_advice(steep_then_flat, threshold=0.5, window=6)
    assert wider["status"] == KEEP_GOING and wider["gain_points_per_100"] > 10


def test_threshold_decides_between_keep_going_and_diminishing_returns() -> None:
    pts = [Point(100, 0.70), Point(200, 0.71), Point(300, 0.72)]  # 1 point per 100 labels
    assert stopping_advice(pts, threshold=0.5)["status"] == KEEP_GOING
    assert stopping_advice(pts, threshold=1.0)["status"] == KEEP_GOING  # at the threshold
    assert stopping_advice(pts, threshold=1.5)["status"] == DIMINISHING
    falling = [Point(100, 0.72), Point(200, 0.71), Point(300, 0.70)]
    advice = stopping_advice(falling, threshold=0.0)
    assert advice["status"] == DIMINISHING and advice["gain_points_per_100"] == \
        pytest.approx(-1.0)
    assert "-1.00 points per 100 labels" in advice["text"]


def test_budget_and_noise_are_reported() -> None:
    pts = [Point(100, 0.70), Point(200, 0.71), Point(300, 0.72)]
    advice = stopping_advice(pts, labeled=310, budget=500, noise=0.031)
    assert advice["remaining_budget"] == 190 and advice["budget"] == 500
    assert "190 label(s) of the budget of 500 remain" in advice["text"]
    assert "±3.1 points" in advice["text"]
    assert stopping_advice(pts, labeled=600, budget=500)["remaining_budget"] == 0
    assert stopping_advice(pts, labeled=10)["remaining_budget"] is None


def test_without_a_test_split_there_is_no_advice_and_it_says_how_to_add_one() -> None:
    advice = stopping_advice([], has_test=False)
    assert advice["status"] == NO_TEST_SPLIT and advice["gain_points_per_100"] is None
    assert "--split test" in advice["text"]


def test_one_round_is_too_few() -> None:
    assert stopping_advice([Point(40, 0.7)])["status"] == TOO_FEW_ROUNDS
    assert stopping_advice([Point(40, 0.7), Point(40, 0.72)])["status"] == TOO_FEW_ROUNDS
