"""The Progress panel's background jobs: building the report and the random baseline.

Both open their own project connection from the path (SQLite connections belong to one
thread) and run in a :class:`~alstudio.gui.worker.Worker`. The baseline trains models, so
the engine (and torch) is imported inside the job, never on the GUI thread.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from alstudio.gui.heap import settle_heap
from alstudio.gui.rounds import gui_threads
from alstudio.jobs import CancelToken, ProgressCallback


def report_job(project_path: Path, *, progress: ProgressCallback,
               cancel: CancelToken) -> dict[str, Any]:
    """The project's report (tens of milliseconds: the bootstrap dominates). The plotting
    library is imported here the first time, off the window's thread (0.1 s or more)."""
    _load_report_modules()
    from alstudio.evaluation.project_report import build_report
    from alstudio.project import Project

    with Project.open(Path(project_path)) as project:
        return build_report(project)


_loaded = False


def _load_report_modules() -> None:
    """Import pyqtgraph and the report's modules once, with the collector off, then freeze
    them (:func:`settle_heap`): left to the collector, its full passes over those thousands
    of new objects ran in this worker holding the interpreter lock, and the window stalled
    for about 50 ms as the report arrived."""
    global _loaded
    if _loaded:
        return
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        import alstudio.evaluation.project_report
        import alstudio.gui.panels.progress_plots  # noqa: F401

        settle_heap("loading the report's modules")
    finally:
        if gc_was_on:
            gc.enable()
    _loaded = True


def baseline_job(project_path: Path, seeds: int, *, progress: ProgressCallback,
                 cancel: CancelToken) -> dict[str, Any]:
    """Retrain on random subsets of the labeled set and store the baseline in the project;
    all cores but one, so labeling stays smooth meanwhile."""
    from alstudio.workflow.baseline import run_random_baseline

    return run_random_baseline(Path(project_path), seeds, threads=gui_threads(),
                               progress=progress, cancel=cancel)
