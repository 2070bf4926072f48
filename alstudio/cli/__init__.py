"""The `alstudio` command: the GUI by default, and every engine job headless.

Each verb is a thin shell over a function the GUI calls too. Errors the user can act on
(:class:`~alstudio.errors.AlstudioError`) print one message and exit 1; misuse exits 2 with
argparse's usage line; no traceback reaches the user (it goes to the log with ``-v``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from alstudio import __version__
from alstudio.cli import engine_verbs, project_verbs, report_verbs
from alstudio.errors import AlstudioError, Cancelled

log = logging.getLogger("alstudio.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alstudio",
        description="Active-learning studio for medical scans. With no verb, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"alstudio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    project_verbs.register(verbs)
    engine_verbs.register(verbs)
    report_verbs.register(verbs)
    return parser


GuiRunner = Callable[[object, object], int]


def main(argv: Sequence[str] | None = None, open_gui: GuiRunner | None = None) -> int:
    """Run one verb. ``open_gui(project, annotator)`` starts the window for `gui` and `open`."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.open_gui = open_gui
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler = getattr(args, "handler", None) or project_verbs.run_gui
    try:
        return int(handler(args) or 0)
    except Cancelled:
        print("Cancelled.", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except AlstudioError as exc:
        log.debug("error", exc_info=True)
        print(f"alstudio: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
