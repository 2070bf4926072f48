"""Verbs on the project file as a file: a consistent copy, and an integrity check on demand."""

from __future__ import annotations

import argparse
from pathlib import Path

from alstudio.cli.arguments import existing_project, new_file
from alstudio.errors import DamagedProjectError
from alstudio.project.backups import copy_project, newest_good_backup, restore_hint
from alstudio.project.integrity import file_problem


def register(verbs: argparse._SubParsersAction) -> None:
    """Add `copy` and `check`."""
    copy = verbs.add_parser(
        "copy", help="a consistent copy of a project, even while it is open",
        description="Copy a project through SQLite's backup API: the copy holds every label "
                    "written so far, also those still in the -wal file beside an open project. "
                    "The source is never changed.")
    copy.add_argument("project", type=existing_project)
    copy.add_argument("out", type=new_file, metavar="OUT")
    copy.set_defaults(handler=cmd_copy)

    check = verbs.add_parser(
        "check", help="run the full integrity check on a project file",
        description="PRAGMA integrity_check on a read-only connection: the file is not changed. "
                    "Exit 0 when whole, 1 when damaged (naming the newest good backup).")
    check.add_argument("project", type=existing_project)
    check.set_defaults(handler=cmd_check)


def cmd_copy(args: argparse.Namespace) -> int:
    """Write the copy; one line says where it went."""
    copy_project(args.project, args.out)
    print(f"Copied {args.project} to {args.out}.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Say whether the file is whole; a damaged one raises with the restore hint."""
    path: Path = args.project
    problem = file_problem(path, full=True)
    if problem is not None:
        raise DamagedProjectError(f"{path} is damaged ({problem}).", restore_hint(path))
    good = newest_good_backup(path)
    print(f"{path}: integrity check ok." + (f" Newest backup: {good}." if good else ""))
    return 0
