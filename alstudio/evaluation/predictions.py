"""The test split's predictions stored with each round, so its metrics can be re-examined.

A round's balanced accuracy on 150 test scans is one draw: the report shows how much it could
move with another test set of the same size (a bootstrap over the test items). That needs
every test item's truth and probabilities as the round saw them, kept in the round's metrics
JSON under :data:`TEST_PREDICTIONS_KEY`, so the report never re-runs a model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Key of the stored predictions in a round's metrics JSON.
TEST_PREDICTIONS_KEY = "test_predictions"
_DECIMALS = 5


@dataclass(frozen=True)
class StoredPredictions:
    """Truth (class index) and probabilities ``(N, C)`` of one round on its test items."""

    item_ids: list[int]
    labels: np.ndarray
    probs: np.ndarray


def encode_predictions(item_ids: Sequence[int], labels: Sequence[int],
                     probs: np.ndarray) -> dict[str, Any]:
    """The JSON form stored with a round: ids, truth, and probabilities rounded to 5 places
    (enough for ranks and argmax; 156 items x 2 classes is about 3 kB)."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] != len(item_ids) or len(labels) != len(item_ids):
        raise ValueError("one label and one row of probabilities per test item")
    return {"item_ids": [int(i) for i in item_ids], "labels": [int(c) for c in labels],
            "probs": np.round(p, _DECIMALS).tolist()}


def read_test_predictions(metrics: Mapping[str, Any]) -> StoredPredictions | None:
    """The stored predictions of a round, or ``None`` for rounds that have none (cold starts,
    rounds without a test split, rounds written before predictions were stored)."""
    raw = metrics.get(TEST_PREDICTIONS_KEY)
    if not isinstance(raw, Mapping) or not raw.get("item_ids"):
        return None
    probs = np.asarray(raw["probs"], dtype=np.float64)
    labels = np.asarray(raw["labels"], dtype=np.int64)
    if probs.ndim != 2 or probs.shape[0] != labels.size:
        return None
    return StoredPredictions([int(i) for i in raw["item_ids"]], labels, probs)


def without_predictions(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """The metrics as people read them: the bulky per-item predictions left out."""
    return {k: v for k, v in metrics.items() if k != TEST_PREDICTIONS_KEY}


def predicted_share(probs: np.ndarray) -> list[float]:
    """Share of the pool the model gives each class (argmax), stored with a round so the
    report can set the labeled set's class balance against the pool's (4 places)."""
    p = np.asarray(probs)
    counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1])
    return [round(float(c) / max(1, p.shape[0]), 4) for c in counts]
