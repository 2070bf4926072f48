"""Rolling backups and consistent copies of a project, through SQLite's backup API.

Copying the file with the operating system while alstudio has it open misses whatever still
sits in the ``-wal`` file (the recent labels); the backup API copies the database as one
reader sees it, WAL included, page by page. A copy is written under a temporary name, checked,
flushed to disk and only then renamed, so a backup that exists is a whole one.

Backups live beside the project in ``PROJECT-backups/``: one when a project is opened for
writing (at most every ``BACKUP_INTERVAL_S``) and one after every round; the newest
``BACKUP_KEEP`` are kept.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from pathlib import Path

from alstudio.errors import ProjectError
from alstudio.project.integrity import check_problem, connect_read_only, file_problem

log = logging.getLogger(__name__)

BACKUP_KEEP = 4
BACKUP_INTERVAL_S = 600.0
_PAGES_PER_STEP = 1024


def backup_dir(path: Path) -> Path:
    """``study.alstudio`` keeps its backups in ``study.alstudio-backups/``."""
    return path.with_name(path.name + "-backups")


def backups(path: Path) -> list[Path]:
    """The project's backups, newest first (names sort by time)."""
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob("*.alstudio") if not p.name.startswith(".")),
                  reverse=True)


def newest_good_backup(path: Path) -> Path | None:
    """The newest backup that passes a quick check, or None."""
    for candidate in backups(path):
        if file_problem(candidate, full=False) is None:
            return candidate
    return None


def restore_hint(path: Path) -> str:
    """What to tell someone whose project is damaged: where the good copy is, how to restore."""
    good = newest_good_backup(path)
    if good is None:
        return ("No backup of it was found; restore it from your own copies, or open a copy "
                "made with `alstudio copy` earlier.")
    return (f"The newest good backup is {good}. To restore it: move the damaged file aside "
            f"(mv '{path}' '{path}.damaged') and run `alstudio copy '{good}' '{path}'`.")


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy the database behind ``source`` to ``target`` atomically, checked and on disk."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.copying")
    try:
        out = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            source.backup(out, pages=_PAGES_PER_STEP)
            # the copy is a plain rollback-journal file: one file, nothing beside it
            out.execute("PRAGMA journal_mode=DELETE")
            problem = check_problem(out, full=False)
        finally:
            out.close()
        if problem is not None:
            raise ProjectError(f"The copy failed its check ({problem}).",
                               "The source may be damaged; run `alstudio info` on it.")
        _fsync_file(tmp)
        os.replace(tmp, target)
        _fsync_folder(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}-journal").unlink(missing_ok=True)


def backup_stamp(now_ns: int) -> str:
    """The time part of a backup's name, from one clock reading: names sort by time only if
    the second and its fraction come from the same reading (read apart, a second that ticks
    over between them gives a newer backup an older name, and the newest would be pruned)."""
    seconds, fraction = divmod(now_ns, 10**9)
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(seconds)) + f"-{fraction:09d}"


def make_backup(source: sqlite3.Connection, path: Path, reason: str) -> Path | None:
    """A new rolling backup of the project at ``path``; older ones beyond the few kept go.

    A backup that cannot be written (full disk, read-only folder) is logged, never fatal: the
    project itself is fine.
    """
    folder = backup_dir(path)
    stamp = backup_stamp(time.time_ns())
    target = folder / f"{path.stem}-{stamp}-{reason}.alstudio"
    try:
        folder.mkdir(exist_ok=True)
        write_copy(source, target)
    except (OSError, sqlite3.Error, ProjectError) as exc:
        log.warning("could not back up %s: %s", path, exc)
        return None
    for old in backups(path)[BACKUP_KEEP:]:
        old.unlink(missing_ok=True)
    return target


def backup_due(path: Path, now: float | None = None) -> bool:
    """Whether the newest backup is older than ``BACKUP_INTERVAL_S`` (or there is none)."""
    existing = backups(path)
    if not existing:
        return True
    try:
        age = (now or time.time()) - existing[0].stat().st_mtime
    except OSError:
        return True
    return age > BACKUP_INTERVAL_S


def copy_project(source: Path, target: Path) -> None:
    """A consistent copy of a project (open elsewhere or not), e.g. `alstudio copy`.

    The source is read through a read-only connection, so copying never changes it.
    """
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise ProjectError(f"No project file at {source}.", "Check the path.")
    if target.exists():
        raise ProjectError(f"{target} already exists.",
                           "Choose another name, or move that file aside first.")
    if not target.parent.is_dir():
        raise ProjectError(f"The folder {target.parent} does not exist.",
                           "Create it first, or choose another place.")
    problem = file_problem(source, full=False)
    if problem is not None:
        raise ProjectError(f"{source} cannot be copied: {problem}.",
                           "If it is damaged, copy its newest backup instead.")
    conn = connect_read_only(source)
    try:
        write_copy(conn, target)
    except OSError as exc:
        raise ProjectError(f"Could not write {target} ({exc.strerror or exc}).",
                           "Choose a writable folder with free space.") from exc
    finally:
        conn.close()
