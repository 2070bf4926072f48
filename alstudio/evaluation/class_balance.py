"""Is the labeled set drifting away from what the pool holds?

Active learning deliberately over-samples what the model finds hard, often the rare class;
that is its point. But a labeled set whose share of a class is far from the model's estimate
of that class in the pool means either the rare class is being missed (too few of it labeled
to learn it) or it is heavily over-sampled (the model will over-call it unless its threshold
is re-centred, which the training recipe does on held-back labels).

The rule (:func:`class_balance`): with at least :data:`MIN_LABELS` labels, a class is flagged
when its labeled share is under half (``missed``) or over twice (``over-sampled``) its
predicted share of the pool, and the two differ by at least :data:`MIN_GAP` (5 points), so
small classes with few labels do not raise noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MIN_LABELS = 20
MIN_GAP = 0.05
LOW_RATIO = 0.5
HIGH_RATIO = 2.0


def class_balance(classes: Sequence[str], labeled: Mapping[str, int],
                  predicted_share: Sequence[float] | None) -> dict[str, Any]:
    """Per class: labeled count and share, the model's predicted share of the pool, their
    ratio and a flag; plus one warning sentence per flagged class.

    ``predicted_share`` is the share of the pool the latest model gives each class (argmax),
    as stored with the round; ``None`` when no round has scored the pool.
    """
    total = sum(labeled.get(c, 0) for c in classes)
    rows: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    for i, name in enumerate(classes):
        count = labeled.get(name, 0)
        share = count / total if total else None
        pred = float(predicted_share[i]) if predicted_share is not None else None
        ratio = share / pred if share is not None and pred else None
        flag = None
        if share is not None and pred is not None and total >= MIN_LABELS \
                and abs(share - pred) >= MIN_GAP:
            if share < LOW_RATIO * pred:
                flag = "missed"
                warnings.append(
                    f"{name} may be missed: {100 * share:.0f}% of the labels against "
                    f"{100 * pred:.0f}% predicted in the pool. Label more of it (an "
                    "uncertainty strategy finds it faster than random).")
            elif share > HIGH_RATIO * pred:
                flag = "over-sampled"
                warnings.append(
                    f"{name} is over-sampled: {100 * share:.0f}% of the labels against "
                    f"{100 * pred:.0f}% predicted in the pool. Expected with uncertainty "
                    "sampling; check its precision on the test split.")
        rows[name] = {"labeled": count, "labeled_share": _r(share), "predicted_share": _r(pred),
                      "ratio": _r(ratio), "flag": flag}
    return {"labeled_total": total, "classes": rows, "warnings": warnings,
            "rule": f"flag a class when its labeled share is under {LOW_RATIO}x or over "
                    f"{HIGH_RATIO}x its predicted pool share, differs by at least "
                    f"{100 * MIN_GAP:.0f} points, with at least {MIN_LABELS} labels"}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
