"""The report's figures as PNG bytes (matplotlib, Agg backend: no display, no Qt).

The HTML page embeds these as data URIs; the GUI draws the same data itself with pyqtgraph.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

#: Calm colours, readable in print: the project's curve, the random band, accents.
PROJECT_COLOUR = "#3d6a99"
RANDOM_COLOUR = "#9a9a9a"
ACCENT = "#c4702a"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def curve_figure(report: Mapping[str, Any]) -> bytes | None:
    """Balanced accuracy and AUC against labels: the project's points with their bootstrap
    95% interval, and the random baseline's mean ± std band when it was computed."""
    points = report["curve"]["points"]
    if not points:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    labels = [p["labels"] for p in points]
    baseline = report.get("baseline")
    for ax, metric, title in zip(axes, ("balanced_accuracy", "auc"),
                                 ("Balanced accuracy", "ROC AUC"), strict=True):
        values = [p[metric]["value"] for p in points]
        low = [p[metric]["low"] if p[metric]["low"] is not None else p[metric]["value"]
               for p in points]
        high = [p[metric]["high"] if p[metric]["high"] is not None else p[metric]["value"]
                for p in points]
        if baseline:
            band = baseline["band"][metric]
            pairs = [(s, m, sd) for s, m, sd in zip(baseline["sizes"], band["mean"],
                                                    band["std"], strict=True) if m is not None]
            if pairs:
                xs, ms, sds = zip(*pairs, strict=True)
                ax.fill_between(xs, [m - s for m, s in zip(ms, sds, strict=True)],
                                [m + s for m, s in zip(ms, sds, strict=True)],
                                color=RANDOM_COLOUR, alpha=0.3, lw=0)
                ax.plot(xs, ms, color=RANDOM_COLOUR, ls="--", lw=1.5,
                        label=f"random baseline ({baseline['seeds']} seeds, mean ± std)")
        if all(v is not None for v in values):
            ax.fill_between(labels, low, high, color=PROJECT_COLOUR, alpha=0.15, lw=0,
                            label="bootstrap 95% interval")
            ax.plot(labels, values, color=PROJECT_COLOUR, marker="o", ms=4, lw=1.8,
                    label="this project")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("labels")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return _png(fig)


def confusion_figure(latest: Mapping[str, Any]) -> bytes | None:
    """The latest evaluated round's confusion matrix (rows = truth), counts in the cells."""
    matrix = latest.get("confusion") or []
    if not matrix:
        return None
    plt = _pyplot()
    classes = latest["classes"]
    size = 1.2 + 0.9 * len(classes)
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    ax.imshow(matrix, cmap="Blues")
    top = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            ax.text(j, i, str(count), ha="center", va="center", fontsize=11,
                    color="white" if count > top / 2 else "#1f2328")
    ax.set_xticks(range(len(classes)), classes, fontsize=8, rotation=20)
    ax.set_yticks(range(len(classes)), classes, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("truth")
    ax.set_title(f"Round {latest['round']}: test split", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def cost_figure(cost: Mapping[str, Any]) -> bytes | None:
    """Median seconds per label in each stretch between rounds."""
    rows = [r for r in cost.get("over_time", []) if r["median_s"] is not None]
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    ax.bar(range(len(rows)), [r["median_s"] for r in rows], color=PROJECT_COLOUR, alpha=0.8)
    ax.set_xticks(range(len(rows)), [r["interval"] for r in rows], fontsize=7, rotation=25,
                  ha="right")
    ax.set_ylabel("median seconds per label")
    ax.set_title("Annotation time over the project", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _png(fig)


def balance_figure(balance: Mapping[str, Any]) -> bytes | None:
    """Labeled share per class against the latest model's predicted share of the pool."""
    rows = balance["classes"]
    if not rows or balance["labeled_total"] == 0:
        return None
    plt = _pyplot()
    names = list(rows)
    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    x = range(len(names))
    ax.bar([i - 0.2 for i in x], [rows[n]["labeled_share"] or 0 for n in names], width=0.4,
           color=PROJECT_COLOUR, label="labeled set")
    if any(rows[n]["predicted_share"] is not None for n in names):
        ax.bar([i + 0.2 for i in x], [rows[n]["predicted_share"] or 0 for n in names],
               width=0.4, color=RANDOM_COLOUR, label="predicted in the pool")
    ax.set_xticks(list(x), names, fontsize=8)
    ax.set_ylabel("share")
    ax.set_title("Class balance", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _png(fig)
