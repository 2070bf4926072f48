"""Opening, creating and migrating the one SQLite file a project lives in.

Every connection gets the same settings: WAL (a reader never blocks the writer, and a crash
never leaves the file half-written), foreign keys, and a busy timeout so the GUI thread and a
worker thread, each with its own connection, wait for each other instead of failing.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from alstudio import __version__
from alstudio.errors import ProjectError, SchemaTooNewError
from alstudio.project.schema import BASELINE_V1, MIGRATIONS, SCHEMA_VERSION
from alstudio.project.timeutil import utc_now

log = logging.getLogger(__name__)

SUFFIX = ".alstudio"
BUSY_TIMEOUT_MS = 10_000


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT just wrote (the sqlite3 module types it as optional)."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise ProjectError("The project file did not record a new row.",
                           "Check that the file is writable, then try again.")
    return row_id


def connect(path: Path) -> sqlite_utils.Database:
    """A configured connection to an existing project file."""
    # isolation_level=None: no implicit transactions; every write goes through transaction().
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        log.warning("%s: journal mode is %s, not WAL (read-only medium?)", path, mode)
    conn.execute("PRAGMA synchronous=NORMAL")
    return sqlite_utils.Database(conn)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One short write transaction: all of it lands, or none of it.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so two connections never deadlock
    upgrading a read to a write; nested use becomes a savepoint.
    """
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
    if "meta" not in db.table_names():
        raise ProjectError(
            "This file is an SQLite database but not an alstudio project (no meta table).",
            "Open a .alstudio file, or create one with `alstudio new`.",
        )
    return {row[0]: row[1] for row in db.execute("SELECT key, value FROM meta")}


def schema_version(db: sqlite_utils.Database) -> int:
    meta = read_meta(db)
    try:
        return int(meta["schema_version"])
    except (KeyError, ValueError) as exc:
        raise ProjectError("The project file has no valid schema version.") from exc


def _statements(script: str) -> list[str]:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.creating")
    try:
        db = connect(tmp)
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
        db.close()
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


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
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.schema{version}-backup-{stamp}")


def open_file(path: Path, migrate: bool = True) -> sqlite_utils.Database:
    """Open a project, refusing a newer schema and migrating an older one after a backup."""
    path = Path(path)
    if not path.is_file():
        raise ProjectError(
            f"No project file at {path}.", "Create one with `alstudio new PROJECT --classes a,b`."
        )
    try:
        db = connect(path)
        version = schema_version(db)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(
            f"{path} is not a readable alstudio project ({exc}).",
            "Check that the file is a .alstudio project and was copied completely.",
        ) from exc
    if version > SCHEMA_VERSION:
        db.close()
        raise SchemaTooNewError(
            f"{path} uses project schema version {version}, but this alstudio "
            f"({__version__}) understands schema version {SCHEMA_VERSION} at most.",
            "Open it with a newer alstudio; this one will not touch it.",
        )
    if version < SCHEMA_VERSION:
        if not migrate:
            db.close()
            raise ProjectError(
                f"{path} uses schema version {version}; this alstudio needs {SCHEMA_VERSION}.",
                "Open it without --no-migrate to upgrade it (a backup is made first).",
            )
        _migrate_with_backup(db, path, version)
    return db


def _migrate_with_backup(db: sqlite_utils.Database, path: Path, version: int) -> None:
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
