"""Looking at a project file without changing it: read-only connections and integrity checks.

Every open starts here. A file is read through a read-only connection first (nothing, not even
the journal mode, is switched) so that a newer-schema project, a foreign SQLite database, an
empty file or a damaged one is left byte for byte as it was when alstudio refuses it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10.0


def file_uri(path: Path, **params: str) -> str:
    """An SQLite URI for ``path``; percent-encoding keeps any file name (bytes included)."""
    raw = os.fsencode(Path(path).absolute())
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"file:{quote(raw, safe='/')}" + (f"?{query}" if query else "")


def folder_writable(path: Path) -> bool:
    """Whether SQLite may create its ``-wal``/``-shm`` files and write the file itself."""
    path = Path(path)
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _wal_without_log(path: Path) -> bool:
    """A WAL-mode file with no ``-wal`` beside it: nobody has it open and every committed page
    is in the file itself (the last connection to close folds the log back and removes it)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(20)
    except OSError:
        return False
    return head.startswith(SQLITE_MAGIC) and head[18:20] == b"\x02\x02" and not Path(
        f"{path}-wal").exists()


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that can never write the file, and leaves nothing beside it.

    A read-only connection to a WAL file would create (and leave behind) ``-wal`` and ``-shm``
    files; when no log exists the file alone is the database, so it is read as immutable
    instead. That is also the only way to read a WAL project on a read-only medium, where
    SQLite cannot create the ``-shm`` file.
    """
    params = {"mode": "ro"}
    if _wal_without_log(path):
        params["immutable"] = "1"
    conn = sqlite3.connect(file_uri(path, **params), uri=True, timeout=BUSY_TIMEOUT_S,
                           isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if folder_writable(path) or "immutable" in params:
            raise
    return sqlite3.connect(file_uri(path, mode="ro", immutable="1"), uri=True,
                           timeout=BUSY_TIMEOUT_S, isolation_level=None)


def header_problem(path: Path) -> str | None:
    """Why the file cannot be an SQLite database at all, or None when its header looks right."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if not head:
        return "the file is empty"
    if not head.startswith(SQLITE_MAGIC):
        return "it is not an SQLite database"
    if len(head) < 100:
        return "the file is cut short"
    return None


def check_problem(conn: sqlite3.Connection, full: bool = False) -> str | None:
    """The first problem ``PRAGMA quick_check`` (or the full ``integrity_check``) reports.

    quick_check reads every page and costs about as much as reading the file once;
    integrity_check also compares every index with its table, which catches damage a quick
    check misses, at a few times the cost: the GUI runs it in the background.
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}(5)").fetchall()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        return str(exc)
    messages = [" ".join(str(row[0]).split()) for row in rows]
    if messages == ["ok"]:
        return None
    return "; ".join(messages)[:300] or "the check returned nothing"


def file_problem(path: Path, full: bool = True) -> str | None:
    """Check a project file on its own read-only connection (for a background thread)."""
    why = header_problem(path)
    if why is not None:
        return why
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        return check_problem(conn, full=full)
    finally:
        conn.close()
