"""The Progress panel after several real rounds, and the project's HTML report beside it
(`take_screenshots.py --only progress`): minutes of training, so a scene of its own."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from shooter import REPO, Shooter


def progress(shooter: Shooter, existing: Path | None = None) -> int:
    """The Progress panel on a demo project after seven labeled rounds and a baseline
    (or on a copy of ``existing``)."""
    from PySide6.QtCore import Qt

    sys.path.insert(0, str(REPO / "benchmarks"))
    from report_speed import build_project

    from alstudio.learning.training import TrainConfig
    from alstudio.project import Project
    from alstudio.workflow.baseline import run_random_baseline

    path = shooter.work / "breast-us-demo.alstudio"
    if existing is not None:
        shutil.copyfile(existing, path)
    else:
        recipe = TrainConfig(max_epochs=10, min_steps=120, patience=4)  # minutes, not tens
        seconds = build_project(path, rounds=7, batch=20, train=recipe)
        print(f"7 rounds in {sum(seconds):.0f} s")
        with Project.open(path) as project:
            project.set_meta("label_budget", "300")
        started = time.monotonic()
        run_random_baseline(path, 3)
        print(f"random baseline in {time.monotonic() - started:.0f} s")
    window = shooter.window()
    window.open_project(path)
    shooter.wait(lambda: window.labeling._displayed is not None)
    shown: list[object] = []
    window.progress_panel.report_shown.connect(shown.append)
    window.progress_dock.show()
    window.progress_dock.raise_()
    window.resizeDocks([window.progress_dock], [560], Qt.Orientation.Horizontal)
    shooter.wait(lambda: bool(shown), timeout_s=60, settle_ms=400)
    shooter.save(window, "14-progress-panel.png")
    window.progress_panel.verticalScrollBar().setValue(10_000)
    shooter.save(window, "15-progress-panel-costs.png")
    window.close()
    report_page(shooter, path)
    return 0

def report_page(shooter: Shooter, path: Path) -> None:
    """`alstudio report --html` of the same project, opened in headless Chromium."""
    import subprocess

    from alstudio.cli import main as cli

    page = shooter.work / "report.html"
    cli(["report", str(path), "--html", str(page)])
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("report page shot skipped: no chromium (apt-get install -y chromium)")
        return
    shot = shooter.out / "16-report-html.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", f"--screenshot={shot}", "--window-size=1400,2000",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    print(f"wrote {shot}")
