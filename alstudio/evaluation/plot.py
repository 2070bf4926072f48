"""Learning-curve figure: mean and spread per strategy, with the full-data reference."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alstudio.evaluation.curves import CurveSummary


def plot_curves(path: Path, metrics: Mapping[str, Mapping[str, CurveSummary]],
                references: Mapping[str, float], title: str) -> None:
    """Write a PNG with one panel per metric (balanced accuracy, AUC).

    Matplotlib is imported here with the Agg backend so the simulator never needs a display
    and never touches Qt.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(metrics)
    fig, axes = plt.subplots(1, len(names), figsize=(6.2 * len(names), 4.4), squeeze=False)
    palette = plt.get_cmap("tab10")
    for ax, metric in zip(axes[0], names, strict=True):
        for n, (strategy, summary) in enumerate(sorted(metrics[metric].items())):
            colour = palette(n % 10)
            lower = [m - s for m, s in zip(summary.mean, summary.std, strict=True)]
            upper = [m + s for m, s in zip(summary.mean, summary.std, strict=True)]
            ax.plot(summary.budgets, summary.mean, marker="o", ms=3, color=colour,
                    label=strategy, lw=1.6 if strategy != "random" else 2.2,
                    ls="-" if strategy != "random" else "--")
            ax.fill_between(summary.budgets, lower, upper, color=colour, alpha=0.15, lw=0)
        if metric in references:
            ref = references[metric]
            ax.axhline(ref, color="0.3", lw=1, ls=":", label=f"full data {ref:.3f}")
            ax.axhline(0.95 * ref, color="0.6", lw=1, ls=":", label="95% of full data")
        ax.set_xlabel("labels")
        ax.set_ylabel(metric.replace("_", " "))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_simulation(result: Mapping[str, Any], path: Path) -> None:
    """The learning curves of a :func:`~alstudio.evaluation.simulate.simulate` result."""
    metrics = {
        metric: {s: CurveSummary(result["budgets"], v[metric]["mean"], v[metric]["std"],
                                 result["config"]["seeds"])
                 for s, v in result["summary"].items()}
        for metric in ("balanced_accuracy", "auc")
    }
    references = {m: v["mean"] for m, v in result["full_data"].items()}
    plot_curves(path, metrics, references,
                f"{Path(result['dataset']).name}: {result['scenario']}, "
                f"{result['config']['seeds']} seeds")
