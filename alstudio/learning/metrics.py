"""Classification metrics in plain numpy, shared by early stopping and the evaluation.

Early stopping and the learning-curve benchmarks must score models the same way, and neither
should pull in scikit-learn for a few formulas. Conventions follow scikit-learn where it has
one; where it would raise (a class missing from ``y_true``) these return NaN instead, because
a tiny validation slice or an early active-learning round legitimately lacks a class and the
caller decides what that means.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _labels(y: ArrayLike) -> np.ndarray:
    return np.asarray(y).astype(np.int64).ravel()


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, num_classes: int) -> np.ndarray:
    """``(C, C)`` int64 counts: row = true class, column = predicted class."""
    t, p = _labels(y_true), _labels(y_pred)
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (t, p), 1)
    return matrix


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Share of correct predictions (NaN for no items)."""
    t, p = _labels(y_true), _labels(y_pred)
    return float(np.mean(t == p)) if t.size else float("nan")


def per_class_recall(y_true: ArrayLike, y_pred: ArrayLike, num_classes: int) -> np.ndarray:
    """Recall (sensitivity) per class; NaN for a class with no true items."""
    m = confusion_matrix(y_true, y_pred, num_classes)
    support = m.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, np.diag(m) / np.maximum(support, 1), np.nan)


def per_class_precision(y_true: ArrayLike, y_pred: ArrayLike, num_classes: int) -> np.ndarray:
    """Precision (positive predictive value) per class; NaN for a class never predicted."""
    m = confusion_matrix(y_true, y_pred, num_classes)
    predicted = m.sum(axis=0)
    return np.where(predicted > 0, np.diag(m) / np.maximum(predicted, 1), np.nan)


def balanced_accuracy(y_true: ArrayLike, y_pred: ArrayLike, num_classes: int | None = None
                      ) -> float:
    """Mean recall over the classes present in ``y_true``.

    A model that always answers the majority class scores ``1 / n_present_classes``, which
    is why this, not plain accuracy, is what the learning curves track.
    """
    t, p = _labels(y_true), _labels(y_pred)
    if not t.size:
        return float("nan")
    n = int(max(t.max(), p.max()) + 1) if num_classes is None else num_classes
    recall = per_class_recall(t, p, n)
    return float(np.nanmean(recall))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties sharing their average rank (the Mann-Whitney convention)."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    # Start index of each run of equal values, and the average rank of that run.
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], values.size]
    run_rank = (starts + 1 + ends) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.repeat(run_rank, ends - starts)
    return ranks


def binary_auc(is_positive: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve from ranks; ties count one half. NaN if a side is empty."""
    pos = np.asarray(is_positive).astype(bool).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    n_pos = int(pos.sum())
    n_neg = pos.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _average_ranks(s)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_auc(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Binary or macro one-vs-rest ROC AUC.

    ``scores`` is ``(N,)`` (score of class 1) or ``(N, C)`` probabilities. With two columns
    the binary AUC of column 1 is returned; with more, the unweighted mean of the per-class
    one-vs-rest AUCs, which is NaN when any class is absent from ``y_true`` (its AUC is
    undefined, and silently averaging the rest would flatter the model).
    """
    t = _labels(y_true)
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim == 1:
        return binary_auc(t == 1, s)
    if s.shape[1] == 2:
        return binary_auc(t == 1, s[:, 1])
    per_class = [binary_auc(t == c, s[:, c]) for c in range(s.shape[1])]
    return float(np.mean(per_class))


def classification_summary(y_true: ArrayLike, probs: ArrayLike) -> dict[str, float]:
    """Accuracy, balanced accuracy and AUC of ``probs`` ``(N, C)`` (argmax decisions)."""
    p = np.asarray(probs, dtype=np.float64)
    pred = p.argmax(axis=1)
    return {"accuracy": accuracy(y_true, pred),
            "balanced_accuracy": balanced_accuracy(y_true, pred, p.shape[1]),
            "auc": roc_auc(y_true, p)}
