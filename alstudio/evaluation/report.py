"""A simulation result as the table `alstudio simulate` prints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alstudio.evaluation.seed_bootstrap import efficiency_interval


def format_summary(result: Mapping[str, Any]) -> str:
    """Per strategy: balanced accuracy and AUC at the last budget (mean ± std over seeds), the
    area under the learning curve, the labels needed to reach 95% of the full-data balanced
    accuracy and that number against random's; in the rare-class scenario also the rare-class
    items among every 100 labels at the last budget."""
    full = result["full_data"]
    rare = any("positives" in m for m in result["summary"].values())
    lines = [
        f"{result['dataset']} ({result['scenario']}); budgets {result['budgets'][0]}.."
        f"{result['budgets'][-1]}; full data: balanced accuracy "
        f"{full['balanced_accuracy']['mean']:.3f}, AUC {full['auc']['mean']:.3f}",
        f"{'strategy':<22}{'bal.acc@end':>13}{'AUC@end':>10}{'AULC':>8}"
        f"{'labels→95%':>12}{'vs random':>11}"
        + (f"{'rare/100':>10}" if rare else ""),
    ]
    for strategy, metrics in result["summary"].items():
        ba, auc = metrics["balanced_accuracy"], metrics["auc"]
        reach, eff = ba["labels_to_target"], ba["label_efficiency"]
        lines.append(
            f"{strategy:<22}{ba['final_mean']:>8.3f}±{ba['final_std']:.3f}"
            f"{auc['final_mean']:>10.3f}{ba['aulc']:>8.3f}"
            f"{(f'{reach:.0f}' if reach else 'not reached'):>12}"
            f"{(f'{eff:.2f}x' if eff else '-'):>11}"
            + (f"{metrics['positives']['final']:>10.1f}" if "positives" in metrics else ""))
    return "\n".join(lines + _intervals(result))


def _intervals(result: Mapping[str, Any]) -> list[str]:
    """Each strategy's label efficiency with its bootstrap interval over seeds, so a reader of
    "1.56x" sees at once how much five seeds pin it down (none for a single seed)."""
    curves = result.get("curves")
    if not curves or len(result["full_data"]["balanced_accuracy"].get("per_seed", [])) < 2:
        return []
    lines = ["label efficiency vs random, 95% interval from a bootstrap over seeds:"]
    for strategy in result["summary"]:
        if strategy != "random" and strategy in curves:
            interval = efficiency_interval(result, strategy)
            lines.append(f"  {strategy:<20} {interval.describe()}")
    return lines
