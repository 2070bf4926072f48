"""Verbs on the project file itself: new, import, info, label, demo, open (and the GUI)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from alstudio.cli.arguments import (
    encodable_text,
    existing_path,
    existing_project,
    finite_float,
    item_id,
    new_file,
    output_file,
    printable_error,
    seconds,
)
from alstudio.cli.progress import StderrProgress
from alstudio.datasets.read_worker import FILE_TIMEOUT_SECONDS
from alstudio.errors import AlstudioError
from alstudio.project import SUFFIX, ClassSpec, Project
from alstudio.project.session import ADJUDICATION_REASONS, LabelingSession
from alstudio.project.summary import project_summary

STARTUP_CHECK_HELP = "open the window, print a line once it is shown, and quit (install checks)"


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the project verbs; every argument is checked as it is parsed."""
    gui = verbs.add_parser("gui", help="open the app's start page (the default)")
    gui.add_argument("--startup-check", action="store_true", help=STARTUP_CHECK_HELP)
    gui.set_defaults(handler=run_gui)

    open_ = verbs.add_parser("open", help="open the app on a project")
    open_.add_argument("project", type=existing_project)
    open_.add_argument("--annotator", type=encodable_text,
                       help="who is labeling (asked for when omitted)")
    open_.add_argument("--startup-check", action="store_true", help=STARTUP_CHECK_HELP)
    open_.set_defaults(handler=run_gui)

    new = verbs.add_parser("new", help="create an empty project file")
    new.add_argument("project", type=new_file, help=f"path of the new file (suffix {SUFFIX})")
    new.add_argument("--classes", required=True,
                     help="comma-separated class names; shortcuts 1-9 follow this order")
    new.add_argument("--name", help="display name (default: the file name)")
    new.set_defaults(handler=cmd_new)

    imp = verbs.add_parser(
        "import", help="import scans (DICOM, NIfTI, PNG/JPEG/TIFF, MedMNIST .npz)",
        description="Import files and folders. Unreadable files are reported and skipped.")
    imp.add_argument("project", type=existing_project)
    imp.add_argument("paths", nargs="+", type=existing_path, metavar="PATH")
    imp.add_argument("--split", choices=("pool", "test"),
                     help="force a split (default: pool, or the archive's own split)")
    imp.add_argument("--modality", metavar="CODE",
                     help="DICOM modality code for files that name none (US, CR, SM, ...)")
    imp.add_argument("--file-timeout", type=finite_float(0.0, low_open=True), metavar="SECONDS",
                     default=FILE_TIMEOUT_SECONDS,
                     help="skip a file whose pixels take longer than this to read "
                          f"(default {FILE_TIMEOUT_SECONDS:g})")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(handler=cmd_import)

    info = verbs.add_parser("info", help="what a project holds")
    info.add_argument("project", type=existing_project)
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(handler=cmd_info)

    label = verbs.add_parser("label", help="give one item a label (or skip / unsure)")
    label.add_argument("project", type=existing_project)
    label.add_argument("item", type=item_id, metavar="ITEM_ID")
    label.add_argument("cls", metavar="CLASS", type=encodable_text,
                       help="a class name (any case) or key (1-9), 'skip' or 'unsure'")
    label.add_argument("--annotator", required=True, type=encodable_text,
                       help="who is labeling (the reader)")
    label.add_argument("--note", type=encodable_text)
    label.add_argument("--seconds", type=seconds, help="active time spent on the item (>= 0)")
    label.add_argument("--reason", type=encodable_text, help="an adjudication's reason: "
                       + ", ".join(ADJUDICATION_REASONS) + " (other: TEXT)")
    label.set_defaults(handler=cmd_label)

    demo = verbs.add_parser("demo", help="build the demo project (BreastMNIST)")
    demo.add_argument("project", type=output_file, nargs="?",
                      help="where to write it (default: the user data folder)")
    demo.add_argument("--json", action="store_true", help="print the import report as JSON")
    demo.set_defaults(handler=cmd_demo)


def run_gui(args: argparse.Namespace) -> int:
    """Hand over to the window; the launcher passes it in, since the engine never imports Qt."""
    open_gui = getattr(args, "open_gui", None)
    if open_gui is None:
        raise AlstudioError("This build of alstudio has no graphical interface.",
                            "Use the verbs listed by `alstudio --help`.")
    project, annotator = getattr(args, "project", None), getattr(args, "annotator", None)
    if getattr(args, "startup_check", False):
        return int(open_gui(project, annotator, startup_check=True))
    return int(open_gui(project, annotator))


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
    from alstudio.datasets.read_worker import prestart
    from alstudio.workflow.importer import import_paths

    prestart()  # the reading process starts while the project is opened and checked
    with Project.open(args.project, full_check=True) as project:
        report = import_paths(project, args.paths, split=args.split, modality=args.modality,
                              progress=StderrProgress(), file_timeout=args.file_timeout)
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        print_skips(report.skipped)
        print(report.summary())
    missing = [entry for entry in report.skipped if entry["reason"] == "no such file or folder"]
    return 1 if missing and len(missing) == len(args.paths) and not report.imported else 0


SKIP_LINES = 20  # up to this many skipped files are listed one by one
EXAMPLES = 3


def print_skips(skipped: list[dict[str, str]]) -> None:
    """Skipped files on stderr: each one when few; else a count per reason with examples
    (every path stays in --json and, with -v, in the log)."""
    if len(skipped) <= SKIP_LINES:
        for entry in skipped:
            print(printable_error(f"skipped {entry['path']}: {entry['reason']}"),
                  file=sys.stderr)
        return
    by_reason: dict[str, list[str]] = {}
    for entry in skipped:
        by_reason.setdefault(entry["reason"], []).append(entry["path"])
    print(f"skipped {len(skipped)} file(s) for {len(by_reason)} reason(s):", file=sys.stderr)
    for reason, paths in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        examples = ", ".join(paths[:EXAMPLES]) + (", ..." if len(paths) > EXAMPLES else "")
        print(printable_error(f"  {len(paths)} x {reason} (e.g. {examples})"), file=sys.stderr)
    print("  every skipped path: --json, or -v for the log", file=sys.stderr)


def finite_json(value: Any) -> Any:
    """``value`` with NaN and infinities as null: JSON has no words for them (an old project may
    hold a time that is not finite)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


def cmd_info(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        summary = project_summary(project)
    if args.json:
        print(json.dumps(finite_json(summary), indent=2, allow_nan=False))
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
    with Project.open(args.project, full_check=True) as project:
        session = LabelingSession(project, args.annotator)
        event = session.give(args.item, args.annotator, args.cls, args.seconds, args.note,
                             reason=args.reason)
        given = project.label_event(event)
    shown = given.class_name or given.decision
    print(f"Recorded label event {event}: item {args.item} -> {shown} by {args.annotator}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from alstudio.paths import default_demo_path
    from alstudio.workflow.demo import build_demo

    path = args.project or default_demo_path()
    project, report = build_demo(path, progress=StderrProgress())
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
