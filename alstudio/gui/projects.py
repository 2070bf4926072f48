"""Getting a project to open: create one, or build the demo.

Kept apart from the window so each path can be tested on its own: the dialogs here are
reached through their ``ask`` class methods, which a test replaces with one line.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from alstudio.errors import AlstudioError, Cancelled
from alstudio.gui.dialogs.job_dialog import JobDialog
from alstudio.gui.dialogs.new_project_dialog import NewProjectDialog
from alstudio.gui.error_path import report_error
from alstudio.gui.settings import AppSettings
from alstudio.gui.worker import Worker
from alstudio.jobs import CancelToken, ProgressCallback
from alstudio.paths import default_demo_path
from alstudio.project import Project

log = logging.getLogger(__name__)


def create_project(parent: QWidget | None, settings: AppSettings) -> Path | None:
    """Ask for a new project's details and write the file; returns its path."""
    recent = settings.recent_projects()
    folder = recent[0].parent if recent and recent[0].parent.is_dir() else Path.home()
    spec = NewProjectDialog.ask(parent, folder, settings.last_annotator())
    if spec is None:
        return None
    try:
        with Project.create(spec.path, spec.classes, name=spec.name) as project:
            project.ensure_annotator(spec.annotator)
    except AlstudioError as exc:
        report_error(parent, exc, "Cannot create the project")
        return None
    settings.set_last_annotator(spec.annotator)
    return spec.path


def _remove_project_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def demo_job(path: Path, *, progress: ProgressCallback, cancel: CancelToken) -> Path:
    """Build the demo project in the worker thread; a cancelled build leaves no file."""
    from alstudio.workflow.demo import build_demo

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        project, report = build_demo(path, progress=progress, cancel=cancel)
        project.close()
    except BaseException:
        _remove_project_file(path)
        raise
    if report.cancelled:
        _remove_project_file(path)
        raise Cancelled("The demo was not built.")
    return path


def open_demo(parent: QWidget, open_project: Callable[[Path], object],
              path: Path | None = None) -> Worker | None:
    """Open the demo, building it first (in the background) when it is not there yet."""
    path = path or default_demo_path()
    if path.exists():
        open_project(path)
        return None
    worker = Worker(demo_job, path, name="demo", parent=parent)
    worker.succeeded.connect(open_project)
    worker.failed.connect(lambda exc: report_error(parent, exc, "Cannot build the demo"))
    worker.finished.connect(worker.deleteLater)
    dialog = JobDialog(worker, "Building the demo",
                       "Importing 780 BreastMNIST ultrasound crops into a new demo project "
                       f"at {path}. This happens once.", parent)
    worker.finished.connect(dialog.deleteLater)
    worker.start()
    dialog.open()
    return worker
