"""Verbs on the project file itself: new, import, info, label, demo, open (and the GUI)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from alstudio.cli.progress import StderrProgress
from alstudio.errors import AlstudioError
from alstudio.evaluation.predictions import without_predictions
from alstudio.project import SUFFIX, ClassSpec, Project


def register(verbs: argparse._SubParsersAction) -> None:
    gui = verbs.add_parser("gui", help="open the app's start page (the default)")
    gui.set_defaults(handler=run_gui)

    open_ = verbs.add_parser("open", help="open the app on a project")
    open_.add_argument("project", type=Path)
    open_.add_argument("--annotator", help="who is labeling (asked for when omitted)")
    open_.set_defaults(handler=run_gui)

    new = verbs.add_parser("new", help="create an empty project file")
    new.add_argument("project", type=Path, help=f"path of the new file (suffix {SUFFIX})")
    new.add_argument("--classes", required=True,
                     help="comma-separated class names; shortcuts 1-9 follow this order")
    new.add_argument("--name", help="display name (default: the file name)")
    new.set_defaults(handler=cmd_new)

    imp = verbs.add_parser(
        "import", help="import scans (DICOM, NIfTI, PNG/JPEG/TIFF, MedMNIST .npz)",
        description="Import files and folders. Unreadable files are reported and skipped.")
    imp.add_argument("project", type=Path)
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--split", choices=("pool", "test"),
                     help="force a split (default: pool, or the archive's own split)")
    imp.add_argument("--modality", metavar="CODE",
                     help="DICOM modality code for files that name none (US, CR, SM, ...)")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(handler=cmd_import)

    info = verbs.add_parser("info", help="what a project holds")
    info.add_argument("project", type=Path)
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(handler=cmd_info)

    label = verbs.add_parser("label", help="give one item a label (or skip / unsure)")
    label.add_argument("project", type=Path)
    label.add_argument("item", type=int, metavar="ITEM_ID")
    label.add_argument("cls", metavar="CLASS", help="a class name, 'skip' or 'unsure'")
    label.add_argument("--annotator", required=True)
    label.add_argument("--note")
    label.add_argument("--seconds", type=float, help="active time spent on the item")
    label.set_defaults(handler=cmd_label)

    demo = verbs.add_parser("demo", help="build the demo project (BreastMNIST)")
    demo.add_argument("project", type=Path, nargs="?",
                      help="where to write it (default: the user data folder)")
    demo.add_argument("--json", action="store_true", help="print the import report as JSON")
    demo.set_defaults(handler=cmd_demo)


def run_gui(args: argparse.Namespace) -> int:
    """Hand over to the window; the launcher passes it in, since the engine never imports Qt."""
    open_gui = getattr(args, "open_gui", None)
    if open_gui is None:
        raise AlstudioError("This build of alstudio has no graphical interface.",
                            "Use the verbs listed by `alstudio --help`.")
    return int(open_gui(getattr(args, "project", None), getattr(args, "annotator", None)))


def cmd_new(args: argparse.Namespace) -> int:
    classes = [c.strip() for c in args.classes.split(",") if c.strip()]
    if len(classes) < 2:
        raise AlstudioError("A project needs at least two classes.",
                            "Example: --classes normal,abnormal")
    with Project.create(args.project, [ClassSpec(c) for c in classes], name=args.name) as p:
        keys = ", ".join(f"{c.shortcut}={c.name}" for c in p.classes())
        print(f"Created {args.project} with classes {keys}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    # imported here so that `alstudio --help` does not load the readers
    from alstudio.datasets.importer import import_paths

    with Project.open(args.project) as project:
        report = import_paths(project, args.paths, split=args.split, modality=args.modality,
                              progress=StderrProgress(quiet=args.json))
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        for skipped in report.skipped:
            print(f"skipped {skipped['path']}: {skipped['reason']}", file=sys.stderr)
        print(report.summary())
    return 0


def project_summary(project: Project) -> dict[str, Any]:
    """What `alstudio info --json` prints; the GUI's dashboard shows the same numbers."""
    labels = project.label_counts()
    events = project.label_events()
    latest = project.latest_round()
    return {
        "path": str(project.path),
        "name": project.name,
        "schema_version": int(project.meta()["schema_version"]),
        "items": project.count_items(),
        "modalities": project.modalities(),
        "classes": [{"name": c.name, "shortcut": c.shortcut, "colour": c.colour}
                    for c in project.classes()],
        "labels": labels,
        "labeled_items": sum(n for k, n in labels.items() if k not in ("skip", "unsure")),
        "reference_labels": {split: len(project.reference_labels(split))
                             for split in ("pool", "test")},
        "annotators": [
            {"name": a.name, "role": a.role,
             "events": sum(1 for e in events if e.annotator == a.name and not e.retracted)}
            for a in project.annotators()
        ],
        "time": project.time_statistics(),
        "rounds": len(project.rounds()),
        "latest_round": None if latest is None else {
            "number": latest.number, "strategy": latest.strategy,
            "labels_used": latest.labels_used,
            "metrics": without_predictions(latest.metrics),
            "queued": len(project.queue(latest.id)),
        },
    }


def cmd_info(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        summary = project_summary(project)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    items = summary["items"]
    print(f"{summary['name']}  ({summary['path']}, schema {summary['schema_version']})")
    print(f"items: {items['pool']} pool, {items['test']} test; modalities: "
          + ", ".join(f"{m} {n}" for m, n in summary["modalities"].items()))
    print("labels: " + ", ".join(f"{k} {v}" for k, v in summary["labels"].items()))
    print("annotators: " + (", ".join(f"{a['name']} ({a['role']}, {a['events']})"
                                      for a in summary["annotators"]) or "none"))
    latest = summary["latest_round"]
    print(f"rounds: {summary['rounds']}" + (
        f"; latest #{latest['number']} {latest['strategy']}, {latest['queued']} queued"
        if latest else ""))
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    decision = args.cls.lower() if args.cls.lower() in ("skip", "unsure") else "label"
    with Project.open(args.project) as project:
        event = project.add_label(
            args.item, args.annotator, args.cls if decision == "label" else None,
            decision=decision, seconds_spent=args.seconds, note=args.note)
    print(f"Recorded label event {event}: item {args.item} -> {args.cls} by {args.annotator}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from alstudio.datasets.demo import build_demo
    from alstudio.paths import default_demo_path

    path = args.project or default_demo_path()
    project, report = build_demo(path, progress=StderrProgress(quiet=args.json))
    with project:
        summary = project_summary(project)
    if args.json:
        print(json.dumps({"project": str(path), "import": report.as_json(),
                          "items": summary["items"]}, indent=2))
    else:
        print(f"Demo project written to {path}: {summary['items']['pool']} pool items, "
              f"{summary['items']['test']} test items ({report.duplicates} duplicate skipped).")
        print(f"Open it with: alstudio open {path}")
    return 0
