"""The project's own report: its learning curve, the random baseline, the latest round's
per-class figures, what the labels cost, the class balance and the stopping advice.

Everything is computed from what the project file stores (rounds and their metrics and test
predictions, label events, the stored baseline, the label budget), so the report is instant
and the same in the CLI (`alstudio report`), the HTML page and the GUI's Progress panel.
The layout of the returned dict is the JSON layout documented in the README
(:data:`REPORT_KEYS`), versioned by :data:`REPORT_FORMAT`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from alstudio import __version__
from alstudio.evaluation.annotation_cost import annotation_cost
from alstudio.evaluation.baseline import BASELINE_META_KEY, baseline_summary
from alstudio.evaluation.bootstrap import DEFAULT_RESAMPLES, METRICS, bootstrap_metrics
from alstudio.evaluation.class_balance import class_balance
from alstudio.evaluation.predictions import read_test_predictions
from alstudio.evaluation.stopping import (
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    Point,
    stopping_advice,
)
from alstudio.project import Project, RoundInfo
from alstudio.project.timeutil import utc_now

REPORT_FORMAT = 1
#: The label budget as the labeling session stores it in the project's ``meta`` table.
BUDGET_META_KEY = "label_budget"
#: The stopping threshold the user set (points per 100 labels), when not the default.
THRESHOLD_META_KEY = "stop_threshold"
REPORT_KEYS = ("format", "project", "generated_at", "alstudio_version", "classes", "labels",
               "test_split", "curve", "baseline", "latest_round", "annotation_cost",
               "class_balance", "stopping")


def build_report(project: Project, *, threshold: float | None = None,
                 window: int = DEFAULT_WINDOW, resamples: int = DEFAULT_RESAMPLES
                 ) -> dict[str, Any]:
    """The whole report of an open project as one JSON-ready dict (see the module doc).

    ``threshold`` (points of balanced accuracy per 100 labels) defaults to the one the user
    stored in the project (the Progress panel's box), else :data:`DEFAULT_THRESHOLD`.
    """
    if threshold is None:
        threshold = stored_threshold(project.meta().get(THRESHOLD_META_KEY))
    classes = project.class_names()
    rounds = project.rounds()
    current = project.current_labels()
    pool_ids = set(project.item_ids("pool"))
    test_ids = project.item_ids("test")
    labeled_pool = Counter(s.consensus for i, s in current.items()
                           if i in pool_ids and s.consensus is not None)
    labeled_any = sum(1 for s in current.values()
                      if any(v not in ("skip", "unsure") for v in s.by_annotator.values()))
    test_reference = project.reference_labels("test")
    test_labeled = sum(1 for i in test_ids
                       if i in test_reference or (i in current and current[i].consensus))
    budget = _budget(project.meta().get(BUDGET_META_KEY))
    curve = learning_curve(rounds, resamples=resamples)
    points = curve["points"]
    ba = [(p["labels"], p["balanced_accuracy"]["value"]) for p in points
          if p["balanced_accuracy"]["value"] is not None]
    stored = _stored_baseline(project.meta().get(BASELINE_META_KEY))
    baseline = None if stored is None else baseline_summary(
        stored, [n for n, _ in ba], [v for _, v in ba])
    latest = latest_round(rounds, classes)
    noise = points[-1]["balanced_accuracy"]["std"] if points else None
    share = next((r.metrics["pool_predicted_share"] for r in reversed(rounds)
                  if r.metrics.get("pool_predicted_share")), None)
    return {
        "format": REPORT_FORMAT,
        "project": project.name,
        "generated_at": utc_now(),
        "alstudio_version": __version__,
        "classes": classes,
        "labels": {"labeled_items": labeled_any,
                   "training_labels": sum(labeled_pool.values()),
                   "budget": budget,
                   "remaining_budget": None if budget is None else max(0, budget - labeled_any),
                   "rounds": len(rounds)},
        "test_split": {"items": len(test_ids), "labeled": test_labeled},
        "curve": curve,
        "baseline": baseline,
        "latest_round": latest,
        "annotation_cost": annotation_cost(project.label_events(), rounds),
        "class_balance": class_balance(classes, labeled_pool, share),
        "stopping": stopping_advice([Point(n, v) for n, v in ba], threshold=threshold,
                                    window=window, has_test=bool(points) or test_labeled > 0,
                                    noise=noise, labeled=labeled_any, budget=budget),
    }


def learning_curve(rounds: list[RoundInfo], *, resamples: int = DEFAULT_RESAMPLES
                   ) -> dict[str, Any]:
    """One point per evaluated round: labels, and balanced accuracy and AUC with their
    bootstrap spread over the test items (from the stored predictions; a round stored
    without them keeps its value and has no spread)."""
    points = []
    for r in rounds:
        test = r.metrics.get("test")
        if not test:
            continue
        stored = read_test_predictions(r.metrics)
        spread = (bootstrap_metrics(stored.labels, stored.probs, resamples=resamples,
                                    seed=r.number) if stored is not None else None)
        point: dict[str, Any] = {"round": r.number, "labels": r.labels_used,
                                 "strategy": r.strategy, "test_items": test.get("n")}
        for metric in METRICS:
            if spread is not None:
                point[metric] = spread[metric].as_dict()
            else:
                point[metric] = {"value": test.get(metric), "std": None, "low": None,
                                 "high": None}
        points.append(point)
    return {"metric_names": list(METRICS), "points": points,
            "bootstrap": {"resamples": resamples, "interval": 0.95}}


def latest_round(rounds: list[RoundInfo], classes: list[str]) -> dict[str, Any] | None:
    """Per-class recall, precision, AUC and support, and the confusion matrix (rows = truth)
    of the latest round that was evaluated on the test split."""
    for r in reversed(rounds):
        test = r.metrics.get("test")
        if test:
            per_class = test.get("per_class", {})
            return {"round": r.number, "labels": r.labels_used, "strategy": r.strategy,
                    "finished_at": r.finished_at,
                    "accuracy": test.get("accuracy"),
                    "balanced_accuracy": test.get("balanced_accuracy"), "auc": test.get("auc"),
                    "per_class": {c: per_class[c] for c in classes if c in per_class},
                    "classes": classes,
                    "confusion": test.get("confusion", [])}
    return None


def stored_threshold(raw: str | None) -> float:
    """The threshold stored in the project, or the default when none (or garbage) is."""
    try:
        value = float(raw) if raw else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD
    return value if value >= 0 else DEFAULT_THRESHOLD


def _budget(raw: str | None) -> int | None:
    try:
        value = int(raw) if raw else 0
    except ValueError:
        return None
    return value if value > 0 else None


def _stored_baseline(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "per_seed" in data and "sizes" in data else None
