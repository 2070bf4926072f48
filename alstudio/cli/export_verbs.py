"""The `export` verb: a labeled set out of a project, in one of the export formats."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from alstudio.cli.arguments import existing_project, finite_float, non_negative_int
from alstudio.cli.progress import StderrProgress
from alstudio.export.common import FORMATS, SPLIT_CHOICES, ExportOptions


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `export` verb and its options."""
    exp = verbs.add_parser(
        "export", help="export labels, images, de-identified DICOM, reports or the model",
        description="Write an export into an empty folder, with a manifest.json listing "
                    "every file and its SHA-256. DICOM copies are de-identified by default.")
    exp.add_argument("project", type=existing_project)
    exp.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
    exp.add_argument("--out", required=True, type=Path, help="the folder to write (empty)")
    exp.add_argument("--split", choices=SPLIT_CHOICES, default="all",
                     help="which split to export (default: all)")
    exp.add_argument("--include-unlabeled", action="store_true",
                     help="also list items nobody has labeled (csv, json, monai)")
    exp.add_argument("--keep-identifiers", action="store_true",
                     help="dicom: write unchanged copies WITH patient identifiers")
    exp.add_argument("--val-fraction", type=finite_float(0.0, 1.0), default=0.2, metavar="F",
                     help="monai: stratified share of labeled pool items for validation "
                          "(default 0.2)")
    exp.add_argument("--seed", type=non_negative_int, default=0,
                     help="monai: seed of the validation draw")
    exp.add_argument("--copy", action="store_true",
                     help="monai: copy images into the export instead of referencing them")
    exp.add_argument("--allow-burned-in", action="store_true",
                     help="dicom: also export files that may show identifiers in the pixels")
    exp.add_argument("--force", action="store_true", help="write into a non-empty folder")
    exp.add_argument("--json", action="store_true", help="print one JSON object")
    exp.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """Run an export and print its summary, warnings and what was left out."""
    from alstudio.workflow.export import run_export

    options = ExportOptions(
        format=args.fmt, split=args.split, include_unlabeled=args.include_unlabeled,
        keep_identifiers=args.keep_identifiers, val_fraction=args.val_fraction,
        copy=args.copy, allow_burned_in=args.allow_burned_in, force=args.force,
        seed=args.seed)
    options.validate()
    if options.keep_identifiers and options.format == "dicom":
        print("WARNING: --keep-identifiers: the DICOM copies keep every patient identifier.",
              file=sys.stderr)
    result = run_export(args.project, args.out, options,
                        progress=StderrProgress(quiet=args.json))
    for warning in result.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        print(result.summary())
        for entry in result.left_out[:20]:
            print(f"  left out: {entry['path']}: {entry['reason']}")
        if len(result.left_out) > 20:
            print(f"  … and {len(result.left_out) - 20} more (see manifest.json)")
    return 0
