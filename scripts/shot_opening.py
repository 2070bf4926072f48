"""The window while a project opens (docs/screenshots/22-opening.png), for
scripts/take_screenshots.py: the session's background read is held until the shot is taken."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any


def opening_scene(shooter: Any, window: Any, work: Path) -> None:
    """Open the demo with its read held, shoot the opening page, then let it finish."""
    from alstudio.gui import project_opening
    from alstudio.workflow.demo import build_demo

    demo = work / "opening-demo.alstudio"
    if not demo.exists():
        build_demo(demo)[0].close()
    window.close_project()
    go = threading.Event()
    real = project_opening.load_session

    def held(*args: Any, **kwargs: Any) -> Any:
        go.wait(60)
        return real(*args, **kwargs)

    project_opening.load_session = held
    try:
        window.open_project(demo, wait=False)
        shooter.wait(lambda: window.lifecycle.opener.stage == "loading", settle_ms=400)
        shooter.save(window, "22-opening.png")
    finally:
        go.set()
        project_opening.load_session = real
    window.lifecycle.wait_opened()
