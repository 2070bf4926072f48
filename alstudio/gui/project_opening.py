"""Opening a project without freezing the window.

At 100,000 items the quick integrity check, the rolling backup and reading the queue with
where each item stands take half a second, all of it SQLite work that needs no widget. So it
runs in two background jobs, each on its own connection (a connection belongs to the thread
that opened it):

1. :func:`check_file` opens the file as any command would: header and quick check, an upgrade
   of an older schema (after its copy), the rolling backup when one is due. It returns what
   the "who is labeling?" question needs. A refused file is reported as before and nothing
   else changes.
2. Once the reader is known, the shown project (if any) closes, the window says "Opening
   <name>…" with no panel and no labeling key, and :func:`load_session` reads the session.

Back on the window's thread the file is opened once more without the check (it was just
checked) and the loaded session is attached to that connection. Every opening has a ticket:
an opening overtaken by another one, or by closing the project, is dropped when its job
reports, so a late job never shows a stale session.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal

from alstudio.errors import AlstudioError, DamagedProjectError
from alstudio.gui.dialogs.annotator_dialog import AnnotatorDialog
from alstudio.gui.error_path import report_error
from alstudio.gui.worker import Worker
from alstudio.jobs import CancelToken, ProgressCallback
from alstudio.project import Project
from alstudio.project.session import LabelingSession

if TYPE_CHECKING:
    from alstudio.gui.main_window import MainWindow

log = logging.getLogger(__name__)

TITLE = "Cannot open the project"


@dataclass(frozen=True)
class CheckedFile:
    """A project file that opened cleanly: its path, name and the readers it knows."""

    path: Path
    name: str
    readers: list[str]


def check_file(path: Path, *, progress: ProgressCallback, cancel: CancelToken) -> CheckedFile:
    """Background job: check, upgrade and back up the file as an open does; read its readers."""
    with Project.open(path) as project:
        readers = [a.name for a in project.annotators() if a.role != "simulator"]
        return CheckedFile(project.path, project.name, readers)


def load_session(path: Path, reader: str, *, progress: ProgressCallback,
                 cancel: CancelToken) -> LabelingSession:
    """Background job: the reader joins (when the file takes writes) and their session is
    read; the job's connection is closed before the session goes back to the window. The
    Progress panel's report module is imported here too, off the window's thread."""
    import alstudio.evaluation.project_report  # noqa: F401

    project = Project.open(path, check=False, backup=False)
    try:
        if project.read_only_reason is None:  # a read-only project is looked at, not joined
            project.ensure_annotator(reader)  # opening the window is how a reader joins
        return LabelingSession(project, reader)
    finally:
        project.close()


def damaged(path: Path, exc: BaseException) -> AlstudioError:
    """Damage past what the quick check reads, found while reading: refuse the file."""
    return DamagedProjectError(f"{path} is damaged and could not be read ({exc}).",
                               "Run `alstudio check PROJECT`: it names the newest good backup.")


class ProjectOpener(QObject):
    """Runs one opening at a time for the window; ``settled(bool)`` when one ends (True: the
    project is shown). ``show(project, session)`` shows a loaded project and says whether it
    could; ``close_shown()`` closes the shown one once the reader is chosen."""

    settled = Signal(bool)
    _changed = Signal()

    def __init__(self, window: MainWindow, show: Callable[[Project, LabelingSession], bool],
                 close_shown: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self._show = show
        self._close_shown = close_shown
        self._ticket = 0
        self._workers: set[Worker] = set()
        #: "checking" or "loading" while an opening is under way, else None
        self.stage: str | None = None
        self.path: Path | None = None

    @property
    def busy(self) -> bool:
        """An opening is under way, or a dropped one's job has not ended yet."""
        return self.stage is not None or bool(self._workers)

    # -- the two steps ----------------------------------------------------------------------
    def start(self, path: Path, annotator: str | None) -> None:
        """Begin opening ``path`` (an opening under way is dropped: the newest one wins)."""
        self.abandon()
        self._ticket += 1
        ticket = self._ticket
        self.stage, self.path = "checking", Path(path)
        w = self.window
        if w.session is None:
            w.lifecycle.show_opening(Path(path).stem, str(path))
        w.status.showMessage(f"Opening {Path(path).name}…")
        self._run(ticket, Worker(check_file, Path(path), name="open-check", parent=self),
                  lambda facts: self._checked(ticket, facts, annotator))

    def _checked(self, ticket: int, facts: CheckedFile, annotator: str | None) -> None:
        w = self.window
        given = annotator or w.fixed_annotator
        if given and given.strip():
            reader: str | None = given.strip()
        else:  # ask, prefilled with the last name
            reader = AnnotatorDialog.ask(w, facts.name, facts.readers,
                                         w.settings.last_annotator())
        if ticket != self._ticket:  # overtaken while the question was open
            return
        if reader is None:
            self._end(False)
            return
        self._close_shown()
        self.stage = "loading"
        w.lifecycle.show_opening(facts.name, str(facts.path))
        self._run(ticket, Worker(load_session, facts.path, reader, name="open-load",
                                 parent=self),
                  lambda core: self._loaded(ticket, core))

    def _loaded(self, ticket: int, core: LabelingSession) -> None:
        try:
            core.attach(Project.open(core.path, check=False, backup=False))
        except (AlstudioError, sqlite3.DatabaseError) as exc:
            self._refused(ticket, exc)
            return
        self.stage = None
        self._end(self._show(core.project, core))

    # -- the jobs' outcomes -----------------------------------------------------------------
    def _run(self, ticket: int, worker: Worker, done: Callable[..., None]) -> None:
        """Start ``worker``; its outcome counts only while ``ticket`` is the current one."""
        self._workers.add(worker)
        worker.succeeded.connect(lambda value: self._succeeded(ticket, done, value))
        worker.failed.connect(lambda exc: self._refused(ticket, exc))
        worker.finished.connect(lambda: self._finished(worker))
        worker.start()

    def _succeeded(self, ticket: int, done: Callable[..., None], value: object) -> None:
        if ticket == self._ticket:  # else overtaken: dropped (its connection is closed)
            done(value)

    def _refused(self, ticket: int, exc: BaseException) -> None:
        if ticket != self._ticket:
            return
        path = self.path or Path("project")
        if isinstance(exc, sqlite3.DatabaseError | UnicodeDecodeError):
            exc = damaged(path, exc)
        self.stage = None
        self._end(False)
        report_error(self.window, exc, TITLE)

    def _finished(self, worker: Worker) -> None:
        self._workers.discard(worker)
        worker.deleteLater()
        self._changed.emit()

    def _end(self, shown: bool) -> None:
        """The opening is over: shown, declined or refused."""
        self.stage, self.path = None, None
        self.window.status.clearMessage()
        if not shown and self.window.session is None:
            self.window.lifecycle.show_start_page()
        self.settled.emit(shown)
        self._changed.emit()

    def abandon(self) -> None:
        """Drop the opening under way (closing, or another opening): its job, when it reports,
        is ignored and its connection was already closed in its thread."""
        if self.stage is None:
            return
        log.info("opening of %s dropped at %s", self.path, self.stage)
        self._ticket += 1
        for worker in self._workers:
            worker.cancel()
        self.stage, self.path = None, None
        self.settled.emit(False)
        self._changed.emit()

    def wait(self, timeout_ms: int = 120_000) -> None:
        """Run the event loop until no opening is under way and its jobs have ended (a call
        that wants the project open before it goes on: tests, scripts)."""
        if not self.busy:
            return
        loop = QEventLoop()
        self._changed.connect(loop.quit)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(timeout_ms)
        try:
            while self.busy and timer.isActive():
                loop.exec()
        finally:
            self._changed.disconnect(loop.quit)
            timer.stop()
