"""Launcher: the `alstudio` command and `python -m alstudio`.

It sits above every layer: the CLI never imports Qt, so the launcher hands it a function that
opens the window, imported only when a window is wanted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from alstudio import cli


def _open_gui(project: Path | None, annotator: str | None, startup_check: bool = False) -> int:
    from alstudio.gui.app import run  # Qt is loaded only here

    return run(project=project, annotator=annotator, startup_check=startup_check)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, open_gui=_open_gui)


if __name__ == "__main__":
    sys.exit(main())
