"""The open project: its connection, meta data, classes, annotators and audit log."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import sqlite_utils

from alstudio.errors import ProjectError
from alstudio.project.backups import make_backup, restore_hint
from alstudio.project.connection import inserted_id, read_meta, transaction
from alstudio.project.integrity import check_problem
from alstudio.project.records import DEFAULT_COLOURS, Annotator, ClassInfo, ClassSpec
from alstudio.project.timeutil import utc_now

ROLES = ("annotator", "adjudicator", "simulator")

log = logging.getLogger(__name__)


def encodable(text: str, what: str) -> str:
    """``text`` if SQLite can store it as UTF-8; otherwise a clear error naming ``what``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ProjectError(f"The {what} {text!r} contains bytes that are not valid text.",
                           f"Use a {what} made of ordinary characters.") from exc
    return text


class ProjectBase:
    """Holds one connection; open one Project per thread (SQLite connections are per thread)."""

    def __init__(self, path: Path, db: sqlite_utils.Database) -> None:
        self.path = Path(path)
        self.db = db

    # -- life cycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Fold the WAL back into the file, then close, so a plain file copy is complete."""
        if self.read_only_reason is None:
            try:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:  # another connection still reading: it folds later
                log.info("WAL checkpoint on close of %s skipped: %s", self.path, exc)
        self.db.close()

    @property
    def read_only_reason(self) -> str | None:
        """Why this project refuses writes (read-only medium, failed check), or None."""
        return getattr(self.db, "write_refusal", None)

    def verify(self, full: bool = True) -> str | None:
        """Run the integrity check now; a failure makes this connection refuse every write.

        Returns the problem, or None when the file is whole. The GUI runs it in the
        background after the quick check at open.
        """
        problem = check_problem(self.db.conn, full=full)
        if problem is not None and hasattr(self.db, "refuse_writes"):
            self.db.refuse_writes(f"{self.path} failed its integrity check ({problem})",
                                  restore_hint(self.path))
        return problem

    def backup(self, reason: str) -> Path | None:
        """A rolling backup beside the project (never fatal; None when it could not be made)."""
        if self.read_only_reason is not None:
            return None
        return make_backup(self.db.conn, self.path, reason)

    def __enter__(self) -> ProjectBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def cache_dir(self) -> Path:
        """Derived data (model inputs, model outputs) that can always be rebuilt."""
        return self.path.with_name(self.path.name + "-cache")

    # -- meta -------------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return read_meta(self.db)

    @property
    def name(self) -> str:
        return self.meta().get("name", self.path.stem)

    def set_meta(self, key: str, value: str) -> None:
        with transaction(self.db):
            self.db.conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -- classes ----------------------------------------------------------------------------
    def add_classes(self, specs: list[ClassSpec]) -> None:
        """Append classes; shortcuts default to 1..9 in order, colours to a calm palette."""
        existing = self.classes()
        used_keys = {c.shortcut for c in existing}
        with transaction(self.db):
            for offset, spec in enumerate(specs):
                name = spec.name.strip()
                if not name:
                    raise ProjectError("A class needs a name.")
                if name.lower() in ("skip", "unsure"):
                    raise ProjectError(f"'{name}' is a decision, not a class; choose another "
                                       "name.")
                position = len(existing) + offset
                shortcut = spec.shortcut or (str(position + 1) if position < 9 else None)
                if shortcut in used_keys and shortcut is not None:
                    raise ProjectError(f"Shortcut {shortcut!r} is used twice; give each class "
                                       "its own key.")
                used_keys.add(shortcut)
                colour = spec.colour or DEFAULT_COLOURS[position % len(DEFAULT_COLOURS)]
                try:
                    self.db.conn.execute(
                        "INSERT INTO classes(name, shortcut, colour, position) VALUES (?,?,?,?)",
                        (name, shortcut, colour, position))
                except Exception as exc:
                    raise ProjectError(f"Class {name!r} exists already.") from exc

    def classes(self) -> list[ClassInfo]:
        return [ClassInfo(*row) for row in self.db.execute(
            "SELECT id, name, shortcut, colour, position FROM classes ORDER BY position")]

    def class_names(self) -> list[str]:
        return [c.name for c in self.classes()]

    def class_id(self, name: str) -> int:
        row = self.db.execute("SELECT id FROM classes WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise ProjectError(f"No class {name!r} in this project.",
                               f"Classes are: {', '.join(self.class_names()) or 'none'}.")
        return int(row[0])

    # -- annotators -------------------------------------------------------------------------
    def ensure_annotator(self, name: str, role: str = "annotator") -> int:
        """The annotator's id, adding them with ``role`` on first use."""
        name = encodable(name.strip(), "annotator name")
        if not name:
            raise ProjectError("An annotator needs a name.", "Pass --annotator NAME.")
        if role not in ROLES:
            raise ProjectError(f"Unknown role {role!r}; use one of {ROLES}.")
        row = self.db.execute("SELECT id FROM annotators WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row[0])
        with transaction(self.db):
            cur = self.db.conn.execute(
                "INSERT INTO annotators(name, role, created_at) VALUES (?,?,?)",
                (name, role, utc_now()))
        return inserted_id(cur)

    def annotator_id(self, name: str) -> int:
        """An annotator's id; unknown names are added, since labeling is how people join."""
        return self.ensure_annotator(name)

    def annotators(self) -> list[Annotator]:
        return [Annotator(*row) for row in self.db.execute(
            "SELECT id, name, role FROM annotators ORDER BY id")]

    # -- audit ------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, details: dict[str, Any] | None = None) -> None:
        with transaction(self.db):
            self.db.conn.execute(
                "INSERT INTO audit_log(at, actor, action, details) VALUES (?,?,?,?)",
                (utc_now(), actor, action, json.dumps(details or {}, sort_keys=True)))

    def audit_log(self) -> list[dict[str, Any]]:
        return [{"at": at, "actor": actor, "action": action, "details": json.loads(details)}
                for at, actor, action, details in self.db.execute(
                    "SELECT at, actor, action, details FROM audit_log ORDER BY id")]
