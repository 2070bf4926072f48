"""Test-split metrics stored with every round: overall and per class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from alstudio.learning.metrics import (
    binary_auc,
    classification_summary,
    confusion_matrix,
    per_class_precision,
    per_class_recall,
)


def test_metrics(y_true: np.ndarray, probs: np.ndarray,
                 class_names: Sequence[str]) -> dict[str, Any]:
    """Accuracy, balanced accuracy and (macro) AUC, then recall, precision, AUC and count per
    class, and the confusion matrix (rows = truth). NaN becomes None so the JSON stays valid.
    """
    y = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(probs, dtype=np.float64)
    pred = p.argmax(axis=1)
    n_classes = p.shape[1]
    recall = per_class_recall(y, pred, n_classes)
    precision = per_class_precision(y, pred, n_classes)
    summary: dict[str, Any] = {k: _clean(v) for k, v in classification_summary(y, p).items()}
    summary["n"] = int(y.size)
    summary["per_class"] = {
        name: {
            "n": int(np.sum(y == c)),
            "recall": _clean(recall[c]),
            "precision": _clean(precision[c]),
            "auc": _clean(binary_auc(y == c, p[:, c])),
        }
        for c, name in enumerate(class_names)
    }
    summary["confusion"] = confusion_matrix(y, pred, n_classes).tolist()
    return summary


def _clean(value: float) -> float | None:
    value = float(value)
    return None if np.isnan(value) else round(value, 4)
