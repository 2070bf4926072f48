"""The agreement statistics against published worked examples and the degenerate cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alstudio.evaluation.agreement import (
    MISSING,
    category_counts,
    cohen_kappa,
    cohen_kappa_from_confusion,
    confusion,
    fleiss_items,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    reliability,
)

# Fleiss (1971), as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories.
FLEISS_1971 = np.array([
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
])

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers,
# 12 units, values 1-5, '.' missing. Nominal alpha = 0.743.
_K = ("1 2 3 3 2 1 4 1 2 . . .",
      "1 2 3 3 2 2 4 1 2 5 . 3",
      ". 3 3 3 2 3 4 2 2 5 1 .",
      "1 2 3 3 2 4 4 1 2 5 1 .")
KRIPPENDORFF = np.array([[MISSING if v == "." else int(v) - 1 for v in row.split()]
                         for row in _K]).T  # (units, observers)


def test_fleiss_1971_example() -> None:
    assert fleiss_kappa(FLEISS_1971) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_refuses_unequal_ratings() -> None:
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa(np.array([[2, 0], [1, 2]]))


def test_krippendorff_nominal_example_with_missing_data() -> None:
    counts = category_counts(KRIPPENDORFF, 5)
    assert krippendorff_alpha(counts) == pytest.approx(0.743, abs=5e-4)
    # unit 12 has one value only and is not pairable: dropping it changes nothing
    assert krippendorff_alpha(counts[:11]) == pytest.approx(krippendorff_alpha(counts))


def test_cohen_textbook_example() -> None:
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15 -> kappa 0.4
    table = np.array([[20, 5], [10, 15]])
    assert cohen_kappa_from_confusion(table) == pytest.approx(0.4)
    a = np.repeat([0, 0, 1, 1], [20, 5, 10, 15])
    b = np.repeat([0, 1, 0, 1], [20, 5, 10, 15])
    assert cohen_kappa(a, b, 2) == pytest.approx(0.4)
    np.testing.assert_array_equal(confusion(a, b, 2), table)


def test_two_readers_alpha_and_fleiss_agree_with_known_relations() -> None:
    # With two readers and no missing data, Fleiss' kappa equals Scott's pi, and alpha equals
    # pi corrected for sample size: alpha = 1 - (2n - 1)/(2n) * (1 - pi).
    rng = np.random.default_rng(3)
    a = rng.integers(0, 3, 200)
    b = np.where(rng.random(200) < 0.7, a, rng.integers(0, 3, 200))
    counts = category_counts(np.stack([a, b], axis=1), 3)
    pi = fleiss_kappa(counts)
    n = 200
    assert krippendorff_alpha(counts) == pytest.approx(1 - (2 * n - 1) / (2 * n) * (1 - pi))
    assert percent_agreement(counts) == pytest.approx(np.mean(a == b))


def test_perfect_agreement() -> None:
    matrix = np.array([[0, 0, 0], [1, 1, 1], [2, 2, 2], [1, 1, 1]])
    counts = category_counts(matrix, 3)
    assert fleiss_kappa(counts) == pytest.approx(1.0)
    assert krippendorff_alpha(counts) == pytest.approx(1.0)
    assert percent_agreement(counts) == 1.0
    assert cohen_kappa(matrix[:, 0], matrix[:, 1], 3) == pytest.approx(1.0)


def test_one_class_only_is_undefined_not_perfect() -> None:
    matrix = np.zeros((10, 3), dtype=np.int64)
    counts = category_counts(matrix, 2)
    assert math.isnan(fleiss_kappa(counts))
    assert math.isnan(krippendorff_alpha(counts))
    assert math.isnan(cohen_kappa(matrix[:, 0], matrix[:, 1], 2))
    assert percent_agreement(counts) == 1.0
    result = reliability(counts, replicates=50)
    assert math.isnan(result.fleiss_kappa.value) and math.isnan(result.fleiss_kappa.low)
    assert result.fleiss_kappa.as_json()["value"] is None


def test_chance_level_readers_are_near_zero() -> None:
    rng = np.random.default_rng(0)
    matrix = rng.integers(0, 2, size=(5000, 4))
    counts = category_counts(matrix, 2)
    result = reliability(counts, replicates=200, seed=1)
    for estimate in (result.fleiss_kappa, result.krippendorff_alpha):
        assert abs(estimate.value) < 0.03
        assert estimate.low <= estimate.value <= estimate.high
        assert estimate.high - estimate.low < 0.06
    assert abs(cohen_kappa(matrix[:, 0], matrix[:, 1], 2)) < 0.05
    assert result.percent_agreement.value == pytest.approx(0.5, abs=0.02)


def test_systematic_disagreement_is_negative() -> None:
    a = np.array([0, 1] * 20)
    assert cohen_kappa(a, 1 - a, 2) == pytest.approx(-1.0)


def test_missing_reads_are_not_categories() -> None:
    matrix = np.array([[0, 0, MISSING], [1, MISSING, 1], [MISSING, MISSING, 0]])
    counts = category_counts(matrix, 2)
    np.testing.assert_array_equal(counts, [[2, 0], [0, 2], [1, 0]])
    np.testing.assert_array_equal(confusion(matrix[:, 0], matrix[:, 1], 2), [[1, 0], [0, 0]])


def test_fleiss_uses_the_most_common_read_count() -> None:
    counts = np.array([[2, 0], [1, 1], [3, 0], [0, 1], [1, 2], [2, 1]])
    mask, size = fleiss_items(counts)
    assert size == 3  # three items with 3 reads, two with 2 (ties go to the larger count)
    np.testing.assert_array_equal(mask, [False, False, True, False, True, True])
    result = reliability(counts, replicates=20)
    assert result.fleiss_reads_per_item == 3 and result.fleiss_kappa.n_items == 3
    assert result.krippendorff_alpha.n_items == 5


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    counts = category_counts(KRIPPENDORFF, 5)
    first = reliability(counts, replicates=300, seed=7)
    again = reliability(counts, replicates=300, seed=7)
    other = reliability(counts, replicates=300, seed=8)
    assert first == again
    assert first.krippendorff_alpha != other.krippendorff_alpha
    alpha = first.krippendorff_alpha
    assert alpha.low <= alpha.value <= alpha.high
    assert alpha.value == pytest.approx(0.743, abs=5e-4)


def test_no_pairable_items() -> None:
    result = reliability(np.array([[1, 0], [0, 1]]), replicates=10)
    assert math.isnan(result.percent_agreement.value)
    assert result.percent_agreement.n_items == 0
