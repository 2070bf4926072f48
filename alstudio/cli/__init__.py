"""The `alstudio` command: the GUI by default, and every engine job headless.

Each verb is a thin shell over a function the GUI calls too. Errors the user can act on
(:class:`~alstudio.errors.AlstudioError`) print one message and exit 1; misuse exits 2 with
argparse's usage line; no traceback reaches the user (it goes to the log with ``-v``).
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence

from alstudio.build_info import version_line
from alstudio.cli import (
    agreement_verbs,
    doctor_verbs,
    engine_verbs,
    export_verbs,
    file_verbs,
    items_verb,
    pretrain_verb,
    project_verbs,
    reader_verbs,
    report_verbs,
)
from alstudio.cli.arguments import printable_error
from alstudio.cli.progress import close_all
from alstudio.errors import AlstudioError, Cancelled
from alstudio.project import SUFFIX

log = logging.getLogger("alstudio.cli")


def build_parser() -> argparse.ArgumentParser:
    """Every verb's parser; argument types check values as they are parsed."""
    parser = argparse.ArgumentParser(
        prog="alstudio",
        description="Active-learning studio for medical scans. With no verb, opens the app.",
    )
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    project_verbs.register(verbs)
    engine_verbs.register(verbs)
    reader_verbs.register(verbs)
    export_verbs.register(verbs)
    doctor_verbs.register(verbs)
    agreement_verbs.register(verbs)
    file_verbs.register(verbs)
    items_verb.register(verbs)
    pretrain_verb.register(verbs)
    report_verbs.register(verbs)
    return parser


GuiRunner = Callable[..., int]


def main(argv: Sequence[str] | None = None, open_gui: GuiRunner | None = None) -> int:
    """Run one verb. ``open_gui(project, annotator)`` starts the window for `gui` and `open`
    (with ``startup_check=True`` for `--startup-check`); a project file as the only argument
    means `open` it (what a double-click in the file manager runs)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 1 and argv[0].endswith(SUFFIX):  # a double-clicked project file
        argv = ["open", argv[0]]
    try:
        # path checks run inside parsing and raise AlstudioError: one line, exit 1
        args = parser.parse_args(argv)
        args.open_gui = open_gui
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        handler = getattr(args, "handler", None) or project_verbs.run_gui
        try:
            return int(handler(args) or 0)
        finally:
            close_all()
    except Cancelled:
        print("Cancelled.", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except AlstudioError as exc:
        log.debug("error", exc_info=True)
        print(printable_error(f"alstudio: {exc}"), file=sys.stderr)
        return 1
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        # a file that passed its quick check at open but is damaged further in
        log.debug("database error", exc_info=True)
        print(printable_error(
            f"alstudio: the project file could not be read ({exc}); it may be damaged. "
            "Run `alstudio check PROJECT`; it names the newest good backup."), file=sys.stderr)
        return 1
    except Exception as exc:  # the last line of defence: one line, the details in the log
        log.debug("unexpected error", exc_info=True)
        print(printable_error(
            f"alstudio: unexpected error ({type(exc).__name__}: {exc}). If a project file may "
            "be damaged, run `alstudio check PROJECT`; `-v` shows the details."),
            file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
