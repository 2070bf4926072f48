"""The open project: its connection, meta data, classes, annotators and audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlite_utils

from alstudio.errors import ProjectError
from alstudio.project.connection import inserted_id, read_meta, transaction
from alstudio.project.records import DEFAULT_COLOURS, Annotator, ClassInfo, ClassSpec
from alstudio.project.timeutil import utc_now

ROLES = ("annotator", "adjudicator", "simulator")


class ProjectBase:
    """Holds one connection; open one Project per thread (SQLite connections are per thread)."""

    def __init__(self, path: Path, db: sqlite_utils.Database) -> None:
        self.path = Path(path)
        self.db = db

    # -- life cycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

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
        name = name.strip()
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
