"""`alstudio report`: the project's learning curve, baseline, costs and stopping advice.

The numbers come from :func:`~alstudio.evaluation.project_report.build_report`, the same
function the GUI's Progress panel reads; ``--baseline SEEDS`` first runs the random baseline
job (minutes on a CPU) and stores it in the project, so later reports show it at once.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from alstudio.cli.arguments import existing_project, finite_float, output_file, positive_int
from alstudio.cli.progress import StderrProgress
from alstudio.errors import AlstudioError


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = verbs.add_parser(
        "report", help="the project's learning curve, label efficiency, costs and when to stop",
        description="The project's own report: test-split balanced accuracy and AUC per round "
                    "with a bootstrap spread, the random baseline (when computed), per-class "
                    "metrics, annotation cost, class balance and the stopping rule.")
    rep.add_argument("project", type=existing_project)
    rep.add_argument("--json", action="store_true", help="print the report as one JSON object")
    rep.add_argument("--html", type=output_file, metavar="OUT.html",
                     help="write one self-contained HTML page (figures embedded)")
    rep.add_argument("--baseline", type=positive_int, metavar="SEEDS",
                     help="first retrain on random subsets of the labeled set with this many "
                          "seeds and store the result (the random baseline)")
    rep.add_argument("--stop-threshold", type=finite_float(0.0), metavar="X", default=None,
                     help="points of balanced accuracy per 100 labels below which more labels "
                          "count as diminishing returns (default: the project's setting, else 0.5)")
    rep.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"),
                     help="where the baseline trains")
    rep.add_argument("--max-epochs", type=positive_int, help="cap epochs per baseline training")
    rep.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from alstudio.evaluation.project_report import build_report
    from alstudio.project import Project

    if not args.project.is_file():
        raise AlstudioError(f"No project file at {args.project}.",
                            "Check the path, or create one with `alstudio new`.")
    threshold = args.stop_threshold
    if threshold is not None and threshold < 0:
        raise AlstudioError("The stop threshold must be zero or more points per 100 labels.")
    if args.baseline is not None:
        from alstudio.workflow.baseline import run_random_baseline

        run_random_baseline(args.project, args.baseline, device=args.device,
                            max_epochs=args.max_epochs,
                            progress=StderrProgress(quiet=args.json))
    with Project.open(args.project) as project:
        report = build_report(project, threshold=threshold)
    if args.html:
        from alstudio.evaluation.report_html import render_html

        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(report), encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(format_text(report))
    if args.html:
        print(f"Wrote {args.html}")
    return 0


def format_text(report: dict[str, Any]) -> str:
    """The report as a terminal reads it: the curve, efficiency, advice, cost, warnings."""
    lines = [f"{report['project']}: {report['labels']['labeled_items']} items labeled, "
             f"{report['labels']['rounds']} rounds, test split "
             f"{report['test_split']['labeled']} labeled"]
    for p in report["curve"]["points"]:
        ba, auc = p["balanced_accuracy"], p["auc"]
        spread = (f" [{ba['low']:.3f}, {ba['high']:.3f}]" if ba["low"] is not None else "")
        lines.append(f"  round {p['round']:>3}  {p['labels']:>5} labels  balanced accuracy "
                     f"{_num(ba['value'])}{spread}  AUC {_num(auc['value'])}")
    baseline = report["baseline"]
    if baseline:
        lines.append(f"Label efficiency: {baseline['efficiency']['text']}")
    else:
        lines.append("Random baseline: not computed (add --baseline 3).")
    lines.append(report["stopping"]["text"])
    cost = report["annotation_cost"]
    if cost["labels"]:
        lines.append(f"Annotation: {cost['labels']} labels, median {_num(cost['median_s'], 1)} "
                     f"s, {_num(cost['labels_per_hour'], 0)} per active hour, "
                     f"{cost['total_reader_s'] / 3600:.2f} h of reader time in all.")
    lines.extend(f"Warning: {w}" for w in report["class_balance"]["warnings"])
    return "\n".join(lines)


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
