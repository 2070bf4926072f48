"""A simulation result as the table `alstudio simulate` prints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
    return "\n".join(lines)
