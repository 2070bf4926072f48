"""Metrics against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alstudio.learning.metrics import (
    accuracy,
    balanced_accuracy,
    binary_auc,
    classification_summary,
    confusion_matrix,
    per_class_precision,
    per_class_recall,
    roc_auc,
)


def test_confusion_matrix_and_accuracy() -> None:
    t = [0, 0, 0, 1, 2, 2]
    p = [0, 1, 0, 1, 2, 0]
    assert confusion_matrix(t, p, 3).tolist() == [[2, 1, 0], [0, 1, 0], [1, 0, 1]]
    assert accuracy(t, p) == pytest.approx(4 / 6)


def test_balanced_accuracy_is_mean_recall() -> None:
    # recall class 0 = 2/3, class 1 = 1/1  ->  (2/3 + 1) / 2
    assert balanced_accuracy([0, 0, 0, 1], [0, 0, 1, 1]) == pytest.approx(5 / 6)
    # Always answering the majority class scores 1 / number of classes.
    assert balanced_accuracy([0] * 9 + [1], [0] * 10) == pytest.approx(0.5)
    # A class absent from the truth does not count.
    assert balanced_accuracy([0, 0], [0, 1], num_classes=3) == pytest.approx(0.5)


def test_recall_and_precision_per_class() -> None:
    t, p = [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]
    assert per_class_recall(t, p, 3)[:2].tolist() == pytest.approx([0.5, 2 / 3])
    assert math.isnan(per_class_recall(t, p, 3)[2])
    assert per_class_precision(t, p, 3)[:2].tolist() == pytest.approx([0.5, 2 / 3])
    assert math.isnan(per_class_precision(t, p, 3)[2])


def test_auc_without_ties() -> None:
    # 4 positive-negative pairs, 3 ordered correctly.
    assert binary_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)


def test_auc_with_ties_counts_them_half() -> None:
    # pos {0.5, 0.9} vs neg {0.5, 0.2}: pairs 0.5/0.5 tie (1/2), the other three correct.
    assert binary_auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) == pytest.approx(3.5 / 4)
    assert binary_auc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]) == pytest.approx(0.5)


def test_auc_is_nan_when_a_class_is_absent() -> None:
    assert math.isnan(binary_auc([1, 1, 1], [0.2, 0.4, 0.9]))
    probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1]])
    assert math.isnan(roc_auc([0, 1, 0], probs))


def test_auc_binary_from_two_columns_and_macro_ovr() -> None:
    probs2 = np.array([[0.9, 0.1], [0.6, 0.4], [0.65, 0.35], [0.2, 0.8]])
    assert roc_auc([0, 0, 1, 1], probs2) == pytest.approx(0.75)
    assert roc_auc([0, 0, 1, 1], probs2[:, 1]) == pytest.approx(0.75)
    y = [0, 1, 2, 0]
    probs = np.array([[0.6, 0.3, 0.1],
                      [0.2, 0.5, 0.3],
                      [0.1, 0.2, 0.7],
                      [0.3, 0.4, 0.3]])
    # class 0: pos {.6,.3} neg {.2,.1}: 4/4; class 1: pos {.5} neg {.3,.2,.4}: 3/3;
    # class 2: pos {.7} neg {.1,.3,.3}: 3/3  ->  macro 1.0. Now break one pair of class 1.
    assert roc_auc(y, probs) == pytest.approx(1.0)
    probs[3, 1] = 0.5  # ties the positive of class 1: (0.5 tie + 2) / 3
    assert roc_auc(y, probs) == pytest.approx((1.0 + 2.5 / 3 + 1.0) / 3)


def test_summary_uses_argmax_decisions() -> None:
    summary = classification_summary([0, 1, 1], np.array([[0.7, 0.3], [0.4, 0.6], [0.6, 0.4]]))
    assert summary["accuracy"] == pytest.approx(2 / 3)
    assert summary["balanced_accuracy"] == pytest.approx(0.75)
    assert summary["auc"] == pytest.approx(1.0)
