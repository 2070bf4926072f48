"""Opening, creating and migrating the one SQLite file a project lives in.

A file is first read through a read-only connection (integrity.py): its schema version and a
quick check are known before anything is changed, so a file alstudio refuses stays byte for
byte as it was. Only a file that is ours, current (or migratable) and whole gets a read-write
connection, and with it the settings every writer uses: WAL (a reader never blocks the writer,
and a crash never leaves the file half-written), ``synchronous=FULL`` (each committed label is
on disk before the call returns: WAL's ``NORMAL`` may lose the last commits on a power cut, and
a label is minutes of a reader's attention, whereas the extra fsync costs about a millisecond),
foreign keys, and a busy timeout so the GUI thread and a worker thread wait for each other.
A file on a read-only medium is opened read-only and every write is refused with a reason.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import sqlite_utils

from alstudio import __version__
from alstudio.errors import (
    DamagedProjectError,
    ProjectError,
    ReadOnlyProjectError,
    SchemaTooNewError,
)
from alstudio.project.backups import backup_due, make_backup, restore_hint
from alstudio.project.integrity import (
    check_problem,
    connect_read_only,
    file_uri,
    folder_writable,
    header_problem,
)
from alstudio.project.schema import BASELINE_V1, MIGRATIONS, SCHEMA_VERSION
from alstudio.project.timeutil import utc_now

log = logging.getLogger(__name__)

SUFFIX = ".alstudio"
BUSY_TIMEOUT_MS = 10_000
SYNCHRONOUS = "FULL"
_READ_ONLY_HINT = ("Copy it to a writable folder (`alstudio copy PROJECT COPY`) and work on "
                   "the copy.")


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT just wrote (the sqlite3 module types it as optional)."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise ProjectError("The project file did not record a new row.",
                           "Check that the file is writable, then try again.")
    return row_id


class ProjectDatabase(sqlite_utils.Database):
    """A project connection that knows whether it may write, and why not."""

    write_refusal: str | None = None
    refusal_hint: str | None = None

    def refuse_writes(self, reason: str, hint: str | None = None) -> None:
        """From now on every transaction on this connection raises ReadOnlyProjectError."""
        self.write_refusal = reason
        self.refusal_hint = hint


def connect(path: Path, create: bool = False) -> ProjectDatabase:
    """A configured read-write connection to a project file (``create``: a new file)."""
    # isolation_level=None: no implicit transactions; every write goes through transaction().
    conn = sqlite3.connect(file_uri(path, mode="rwc" if create else "rw"), uri=True,
                           timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("%s: journal mode is %s, not WAL (read-only medium?)", path, mode)
        conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    except BaseException:
        conn.close()
        raise
    return ProjectDatabase(conn)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One short write transaction: all of it lands, or none of it.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so two connections never deadlock
    upgrading a read to a write; nested use becomes a savepoint. A connection that refuses
    writes (read-only medium, failed integrity check) raises before anything starts.
    """
    refusal = getattr(db, "write_refusal", None)
    if refusal is not None:
        raise ReadOnlyProjectError(f"Nothing was written: {refusal}.",
                                   getattr(db, "refusal_hint", None))
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def read_meta(db: sqlite_utils.Database) -> dict[str, str]:
    """The meta table as a dict; a database without one is not a project."""
    if "meta" not in db.table_names():
        raise ProjectError(
            "This file is an SQLite database but not an alstudio project (no meta table).",
            "Open a .alstudio file, or create one with `alstudio new`.",
        )
    return {row[0]: row[1] for row in db.execute("SELECT key, value FROM meta")}


def schema_version(db: sqlite_utils.Database) -> int:
    """The schema version the file says it has."""
    meta = read_meta(db)
    try:
        return int(meta["schema_version"])
    except (KeyError, ValueError) as exc:
        raise ProjectError("The project file has no valid schema version.") from exc


def _statements(script: str) -> list[str]:
    """A script split into statements (the baseline has no semicolons inside strings)."""
    return [part.strip() for part in script.split(";") if part.strip()]


def create_file(path: Path, name: str) -> None:
    """Write a new, empty project at ``path`` atomically.

    The schema is built in a temporary file beside the target and renamed into place only when
    complete, so a crash during creation never leaves a half-made project under the real name.
    """
    if path.exists():
        raise ProjectError(
            f"{path} already exists.", "Choose another name, or open it instead of creating it."
        )
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.creating")
    try:
        _write_new(path, tmp, name)
    except (OSError, sqlite3.Error) as exc:
        raise ProjectError(f"Cannot create {path} ({getattr(exc, 'strerror', None) or exc}).",
                           "Choose a folder you can write to.") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with suppress(OSError):
                leftover.unlink(missing_ok=True)


def _write_new(path: Path, tmp: Path, name: str) -> None:
    """Build the schema in ``tmp`` and rename it to ``path`` once complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(tmp, create=True)
    try:
        with transaction(db):
            for statement in _statements(BASELINE_V1):
                db.conn.execute(statement)
            db.conn.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [
                    ("schema_version", "1"),
                    ("app_version", __version__),
                    ("created_at", utc_now()),
                    ("project_id", uuid.uuid4().hex),
                    ("name", name),
                ],
            )
            _apply_migrations(db, from_version=1)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    os.replace(tmp, path)


def _apply_migrations(db: sqlite_utils.Database, from_version: int) -> None:
    """Run every migration after ``from_version``; caller holds the transaction."""
    for version in range(from_version + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](db.conn)
        db.conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),)
        )
    db.conn.execute(
        "INSERT INTO meta(key, value) VALUES ('app_version', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (__version__,),
    )


def backup_path_for(path: Path, version: int) -> Path:
    """Where the copy made before a migration goes."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.schema{version}-backup-{stamp}")


def _probe(path: Path, full_check: bool, check: bool = True) -> int:
    """The file's schema version, read without changing a byte; refuses what is not whole
    (``check``: run the quick or full integrity check too)."""
    why = header_problem(path)
    if why is not None:
        raise ProjectError(f"{path} is not a readable alstudio project ({why}).",
                           "Check that the file is a .alstudio project and was copied "
                           "completely.")
    try:
        conn = connect_read_only(path)
    except sqlite3.OperationalError as exc:
        raise ProjectError(f"{path} cannot be opened ({exc}).",
                           "Check the file's permissions and that its folder is readable.") \
            from exc
    except sqlite3.DatabaseError as exc:  # its schema pages themselves are damaged
        raise DamagedProjectError(f"{path} is damaged and was not opened ({exc}).",
                                  restore_hint(path)) from exc
    try:
        problem = check_problem(conn, full=full_check) if check else None
        if problem is None:
            version = schema_version(sqlite_utils.Database(conn))
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        problem = str(exc)
    finally:
        conn.close()
    if problem is not None:
        raise DamagedProjectError(
            f"{path} is damaged and was not opened (integrity check: {problem}).",
            restore_hint(path))
    return version


def open_file(path: Path, migrate: bool = True, read_only: bool | None = None,
              full_check: bool = False, backup: bool = True,
              check: bool = True) -> ProjectDatabase:
    """Open a project: check it, refuse a newer schema, migrate an older one after a backup.

    ``read_only``: None decides by the medium (a read-only file or folder opens read-only),
    True forces it. ``full_check`` runs the full integrity check instead of the quick one,
    which is what a command that writes once and exits uses. ``backup``: make a rolling
    backup when the last one is older than ``BACKUP_INTERVAL_S``. ``check=False`` skips the
    integrity check, for a file this process has just checked on another connection (the
    window checks and backs up in a background thread, then opens its own connection).
    """
    path = Path(path)
    if not path.is_file():
        raise ProjectError(
            f"No project file at {path}.", "Create one with `alstudio new PROJECT --classes a,b`."
        )
    version = _probe(path, full_check, check)
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path} uses project schema version {version}, but this alstudio "
            f"({__version__}) understands schema version {SCHEMA_VERSION} at most.",
            "Open it with a newer alstudio; this one will not touch it.",
        )
    if version < SCHEMA_VERSION and not migrate:
        raise ProjectError(
            f"{path} uses schema version {version}; this alstudio needs {SCHEMA_VERSION}.",
            "Open it without --no-migrate to upgrade it (a backup is made first).",
        )
    refusal = None
    if read_only:
        refusal = "the project was opened read-only"
    elif read_only is None and not folder_writable(path):
        refusal = f"{path} or its folder is read-only"
    if refusal is None:
        try:
            db = connect(path)
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc) and "read-only" not in str(exc):
                raise
            refusal = f"{path} cannot be written ({exc})"
    if refusal is not None:
        if version < SCHEMA_VERSION:
            raise ProjectError(
                f"{path} uses schema version {version} and must be upgraded, but {refusal}.",
                _READ_ONLY_HINT)
        ro = ProjectDatabase(connect_read_only(path))
        ro.refuse_writes(refusal, _READ_ONLY_HINT)
        return ro
    if version < SCHEMA_VERSION:
        _migrate_with_backup(db, path, version)
    elif backup and backup_due(path):
        make_backup(db.conn, path, "open")
    return db


def _migrate_with_backup(db: sqlite_utils.Database, path: Path, version: int) -> None:
    """Copy the file aside, then migrate in one transaction; on failure say where the copy is."""
    backup = backup_path_for(path, version)
    target = sqlite3.connect(str(backup))
    try:
        db.conn.backup(target)
    finally:
        target.close()
    try:
        with transaction(db):
            _apply_migrations(db, from_version=version)
            db.conn.execute(
                "INSERT INTO audit_log(at, actor, action, details) VALUES (?, 'alstudio', "
                "'migrate', ?)",
                (utc_now(), f'{{"from": {version}, "to": {SCHEMA_VERSION}}}'),
            )
    except Exception as exc:
        db.close()
        raise ProjectError(
            f"Upgrading {path} from schema {version} to {SCHEMA_VERSION} failed ({exc}); "
            "the file was left unchanged.",
            f"A copy made before the upgrade is at {backup}.",
        ) from exc
    log.info("migrated %s from schema %s to %s (backup: %s)", path, version, SCHEMA_VERSION,
             backup)
