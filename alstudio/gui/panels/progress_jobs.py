"""The Progress panel's background jobs: building the report and the random baseline.

Both open their own project connection from the path (SQLite connections belong to one
thread) and run in a :class:`~alstudio.gui.worker.Worker`. The baseline trains models, so
the engine (and torch) is imported inside the job, never on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alstudio.gui.rounds import gui_threads
from alstudio.jobs import CancelToken, ProgressCallback


def report_job(project_path: Path, *, progress: ProgressCallback,
               cancel: CancelToken) -> dict[str, Any]:
    """The project's report (tens of milliseconds: the bootstrap dominates). The plotting
    library is imported here the first time, off the window's thread (0.1 s or more)."""
    import alstudio.gui.panels.progress_plots  # noqa: F401
    from alstudio.evaluation.project_report import build_report
    from alstudio.project import Project

    with Project.open(Path(project_path)) as project:
        return build_report(project)


def baseline_job(project_path: Path, seeds: int, *, progress: ProgressCallback,
                 cancel: CancelToken) -> dict[str, Any]:
    """Retrain on random subsets of the labeled set and store the baseline in the project;
    all cores but one, so labeling stays smooth meanwhile."""
    from alstudio.workflow.baseline import run_random_baseline

    return run_random_baseline(Path(project_path), seeds, threads=gui_threads(),
                               progress=progress, cancel=cancel)
