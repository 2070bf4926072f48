"""Verbs for work by several readers: agreement, label-errors, import-labels and merge."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from alstudio.cli.arguments import (
    existing_file,
    existing_project,
    int_at_least,
    non_negative_int,
    output_file,
    positive_int,
)
from alstudio.cli.progress import StderrProgress
from alstudio.errors import AlstudioError
from alstudio.project import Project


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verbs to the `alstudio` parser."""
    agree = verbs.add_parser(
        "agreement", help="how much the readers agree (kappa, alpha, per pair, per reader)",
        description="Fleiss' kappa, Krippendorff's alpha and percent agreement with bootstrap "
                    "95%% intervals; Cohen's kappa and confusion per pair of readers; labels, "
                    "median time and agreement with the adjudicated label per reader. Skip and "
                    "unsure are not classes: they count as not read.")
    agree.add_argument("project", type=existing_project)
    agree.add_argument("--replicates", type=positive_int, default=1000, help="bootstrap replicates")
    agree.add_argument("--seed", type=non_negative_int, default=0, help="bootstrap seed")
    agree.add_argument("--json", action="store_true", help="print one JSON object")
    agree.set_defaults(handler=cmd_agreement)

    errors = verbs.add_parser(
        "label-errors", help="find labels the model contradicts out of sample",
        description="Cross-validate the project's model on its labeled scans and list the "
                    "items whose label the out-of-sample predictions contradict (confident "
                    "learning). Stored for the 'Suspected label errors' filter; no label is "
                    "changed.")
    errors.add_argument("project", type=existing_project)
    errors.add_argument("--folds", type=int_at_least(2), default=3)
    errors.add_argument("--seed", type=non_negative_int, default=0)
    errors.add_argument("--model", default="auto")
    errors.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"))
    errors.add_argument("--max-epochs", type=positive_int, help="cap epochs per fold")
    errors.add_argument("--show", action="store_true",
                        help="list the latest stored check instead of running a new one")
    errors.add_argument("--second-read", action="store_true",
                        help="send the listed items for a second read (the label stands)")
    errors.add_argument("--json", action="store_true", help="print one JSON object")
    errors.set_defaults(handler=cmd_label_errors)

    imp = verbs.add_parser(
        "import-labels", help="import earlier reads from a CSV file",
        description="Columns: item (an item id or a path as imported), annotator, label (a "
                    "class, skip or unsure), and optionally seconds, role, note. Rows matching "
                    "no item or class are reported and skipped; re-importing adds nothing.")
    imp.add_argument("project", type=existing_project)
    imp.add_argument("csv", type=existing_file, metavar="LABELS.csv")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(handler=cmd_import_labels)

    merge = verbs.add_parser(
        "merge", help="merge project files from separate workstations into a new one",
        description="Items match by content hash; every read keeps its annotator, times and "
                    "workstation; differing reads become disagreements. The inputs are not "
                    "modified.")
    merge.add_argument("inputs", nargs="+", type=existing_project, metavar="PROJECT")
    merge.add_argument("-o", "--output", type=output_file, required=True, metavar="MERGED.alstudio")
    merge.add_argument("--map", action="append", default=[], metavar="OLD=NEW",
                       help="rename a class before merging (repeatable)")
    merge.add_argument("--json", action="store_true", help="print one JSON object")
    merge.set_defaults(handler=cmd_merge)


def cmd_agreement(args: argparse.Namespace) -> int:
    from alstudio.evaluation.agreement_report import agreement_report, format_report

    if args.replicates < 0:
        raise AlstudioError("--replicates cannot be negative.")
    with Project.open(args.project) as project:
        report = agreement_report(project, replicates=args.replicates, seed=args.seed)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def cmd_label_errors(args: argparse.Namespace) -> int:
    if args.show:
        with Project.open(args.project) as project:
            classes = project.class_names()
            suspects = project.suspected_label_errors()
            run = project.latest_label_error_run()
        rows: list[dict[str, Any]] = [{"item": s.item_id, "given": s.given_class,
                 "likely": classes[max(range(len(s.probs)), key=s.probs.__getitem__)],
                 "score": round(s.score, 4), "probs": list(s.probs)} for s in suspects]
        payload: dict[str, Any] = {"run": run, "suspects": rows}
    else:
        from alstudio.workflow.label_errors import LabelCheckConfig, check_labels

        config = LabelCheckConfig(folds=args.folds, seed=args.seed, model=args.model,
                                  device=args.device, max_epochs=args.max_epochs)
        outcome = check_labels(args.project, config, progress=StderrProgress(quiet=args.json))
        payload = outcome.as_json()
        rows = list(payload["suspects"])
    if args.second_read:
        from alstudio.workflow.label_errors import send_for_second_read

        payload["sent_for_second_read"] = send_for_second_read(
            args.project, [row["item"] for row in rows])
    if args.json:
        print(json.dumps(payload, indent=2))
        return 0
    checked = payload["run"]["checked"] if args.show and payload["run"] else payload.get(
        "checked")
    print(f"{len(rows)} suspected label error(s) among {checked or 0} checked label(s). "
          "No label was changed; send them for a second read.")
    for row in rows:
        probs = ", ".join(f"{p:.2f}" for p in row["probs"])
        print(f"  item {row['item']:<7} given {row['given']!r}, model says {row['likely']!r} "
              f"(quality {row['score']:.3f}; probabilities {probs})")
    if args.second_read:
        print(f"{payload['sent_for_second_read']} item(s) sent for a second read.")
    return 0


def cmd_import_labels(args: argparse.Namespace) -> int:
    from alstudio.workflow.import_labels import import_labels

    with Project.open(args.project) as project:
        result = import_labels(project, args.csv, progress=StderrProgress(quiet=args.json))
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
        return 0
    for row in result.skipped:
        print(f"{args.csv}:{row['line']}: skipped: {row['reason']}", file=sys.stderr)
    print(result.summary())
    if result.annotators_created:
        print(f"New annotators: {', '.join(result.annotators_created)}.")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from alstudio.workflow.merge import merge_projects, parse_class_map

    result = merge_projects(args.inputs, args.output, parse_class_map(args.map),
                            progress=StderrProgress(quiet=args.json))
    print(json.dumps(result.as_json(), indent=2) if args.json else result.summary())
    return 0
