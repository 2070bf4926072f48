"""Running an active-learning round from the window, in the background.

The round engine (train, score, select, save) is imported only inside the worker thread, so
torch loads there, never on the GUI thread and never at start-up. The engine opens its own
project connection from the path, and writes the round atomically at its end: a cancel leaves
the project exactly as it was.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from alstudio.gui.heap import settle_heap
from alstudio.gui.worker import Worker
from alstudio.jobs import CancelToken, Progress, ProgressCallback
from alstudio.workflow.round import RoundConfig

log = logging.getLogger(__name__)


def gui_threads() -> int:
    """CPU threads a round may use while the window stays responsive: all but one core."""
    return max(1, (os.cpu_count() or 2) - 1)


def engine_available() -> bool:
    """True when the round engine is installed (checked without importing it)."""
    try:
        return importlib.util.find_spec("alstudio.workflow") is not None
    except (ImportError, ValueError):
        return False


def round_job(project_path: Path, request: RoundConfig, *, progress: ProgressCallback,
              cancel: CancelToken) -> Any:
    """Run the round in the worker (torch loads here), leaving a core to the window."""
    from alstudio.workflow import run_round

    config = replace(request, threads=request.threads or gui_threads())
    return run_round(Path(project_path), config, progress=progress, cancel=cancel)


def device_job(*, progress: ProgressCallback, cancel: CancelToken) -> str:
    """The device line for the status bar; on the way it loads the model stack.

    Loading torch holds the interpreter lock for up to ~150 ms at a time, which the window
    feels as a stall. Doing it here, in the background in the user's first pause after a
    project opens (see :mod:`alstudio.gui.idle`), keeps that stall away from labeling and
    from the moment the user runs a round. ``torch._dynamo``
    is loaded too: torch's optimisers import it on their first use, mid-round otherwise. So
    are the round's own modules and the strategies (MONAI, scipy, scikit-learn, pandas: about
    2,000 modules): loaded by the first round instead, they were new objects that the
    collector's full passes walked in the round's worker, holding the interpreter lock for
    40-55 ms, a stall the window felt; loaded here, they are frozen with the rest.
    """
    gc_was_on = gc.isenabled()
    gc.disable()  # a full pass over a heap that is mostly modules being loaded is wasted work
    try:
        from alstudio.workflow import describe_device

        text = str(describe_device("auto"))
        with contextlib.suppress(ImportError):
            importlib.import_module("torch._dynamo")
        from alstudio.selection.catalogue import load_strategies
        from alstudio.workflow.round import load_engine

        load_engine()
        load_strategies()
        settle_heap("loading the model stack")
    finally:
        if gc_was_on:
            gc.enable()
    return text


class RoundRunner(QObject):
    """One round at a time. Signals: ``started``, ``stepped(Progress)``, then one of
    ``succeeded(outcome)``, ``failed(exception)``, ``cancelled()``, then ``stopped()``."""

    started = Signal()
    stepped = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    stopped = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: Worker | None = None
        self.last_step: Progress | None = None
        self.project_path: Path | None = None  # the project the running round writes to

    @property
    def running(self) -> bool:
        return self.worker is not None

    @property
    def elapsed(self) -> float:
        return self.worker.elapsed if self.worker is not None else 0.0

    def start(self, project_path: Path, request: RoundConfig) -> bool:
        if self.worker is not None:
            return False
        log.info("round requested: %s", request)
        self.last_step = None
        self.project_path = Path(project_path)
        worker = Worker(round_job, Path(project_path), request, name="round", parent=self)
        worker.progressed.connect(self._stepped)
        worker.succeeded.connect(self.succeeded)
        worker.failed.connect(self.failed)
        worker.cancelled.connect(self.cancelled)
        worker.finished.connect(self._stopped)
        self.worker = worker
        worker.start()
        self.started.emit()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _stepped(self, step: Progress) -> None:
        self.last_step = step
        self.stepped.emit(step)

    def _stopped(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.deleteLater()
        self.stopped.emit()
