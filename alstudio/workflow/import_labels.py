"""Import earlier reads from a CSV file: ``item, annotator, label[, seconds, role, note]``.

``item`` is an item id or a file path as imported (relative to a dataset root, or absolute);
``label`` a class name, ``skip`` or ``unsure``. Annotators not yet in the project are created
(with ``role`` when given). A row that names no known item or class is reported with its line
number and skipped; the rest land in one transaction. Each row carries a stable key (a digest
of the item's content hash and the row's values), so importing the same file twice, or an
overlapping one, adds nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.project import ImportedRead, Project
from alstudio.project.base import ROLES

REQUIRED = ("item", "annotator", "label")
OPTIONAL = ("seconds", "role", "note")


@dataclass
class LabelImportReport:
    rows: int = 0
    added: int = 0
    already_there: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {"line", "reason"}
    annotators_created: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "added": self.added, "already_there": self.already_there,
                "skipped": self.skipped, "annotators_created": self.annotators_created}

    def summary(self) -> str:
        return (f"{self.rows} row(s): {self.added} read(s) added, {self.already_there} already "
                f"in the project, {len(self.skipped)} skipped.")


class ItemResolver:
    """Finds an item by id, by its path as imported, or by an absolute path under a root."""

    def __init__(self, project: Project) -> None:
        self.ids: set[int] = set(project.item_ids())
        self.hashes: dict[int, str] = {}
        self.by_path: dict[str, list[int]] = {}
        self.roots: list[str] = sorted(project.dataset_roots().values(), key=len, reverse=True)
        for item in project.items():
            self.hashes[item.id] = item.content_hash
            keys = {item.path, *item.files} if not item.member else {item.path}
            for key in keys:
                self.by_path.setdefault(_norm(item.dataset_root, key), []).append(item.id)
                self.by_path.setdefault(_norm(None, key), []).append(item.id)

    def find(self, text: str) -> tuple[int | None, str]:
        """(item id, '') or (None, why not)."""
        text = text.strip()
        if text.isdigit():
            item_id = int(text)
            return (item_id, "") if item_id in self.ids else (None, f"no item with id {text}")
        absolute = os.path.isabs(text)
        hits = set(self.by_path.get(_norm(None, text) if not absolute else
                                    os.path.normpath(text), []))
        if not hits:
            return None, f"no item imported from {text!r}"
        if len(hits) > 1:
            return None, f"{text!r} matches {len(hits)} items; give the item id instead"
        return hits.pop(), ""


def _norm(root: str | None, path: str) -> str:
    joined = os.path.join(root, path) if root else path
    return os.path.normpath(joined.replace("\\", "/"))


def _row_key(content_hash: str, annotator: str, decision: str, class_name: str | None,
             seconds: float | None, note: str | None) -> str:
    text = "\x1f".join([content_hash, annotator, decision, class_name or "",
                        "" if seconds is None else repr(seconds), note or ""])
    return "csv:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def import_labels(project: Project, csv_path: Path, *, progress: ProgressCallback | None = None,
                  cancel: CancelToken | None = None) -> LabelImportReport:
    """Read ``csv_path`` and append its valid rows as label events; see the module notes."""
    try:
        handle = open(csv_path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise AlstudioError(f"Cannot read {csv_path}: {exc.strerror}.",
                            "Check the path to the CSV file.") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise AlstudioError(f"{csv_path} has no column {', '.join(missing)}.",
                                "The first line must name the columns: item,annotator,label "
                                "(and optionally seconds,role,note).")
        reader.fieldnames = header
        rows = list(enumerate(reader, start=2))
    resolver = ItemResolver(project)
    classes = {c.lower(): c for c in project.class_names()}
    existing_annotators = {a.name: a.role for a in project.annotators()}
    known = project.known_origins()
    result = LabelImportReport(rows=len(rows))
    reads: list[ImportedRead] = []
    roles: dict[str, str] = {}
    seen: set[str] = set()
    for n, (line, row) in enumerate(rows):
        if n % 1000 == 0:
            check(cancel)
            report(progress, "reading labels", n, len(rows))
        parsed = _parse_row(row, resolver, classes)
        if isinstance(parsed, str):
            result.skipped.append({"line": line, "reason": parsed})
            continue
        item_id, annotator, decision, class_name, seconds, role, note = parsed
        if role and annotator not in existing_annotators:
            roles.setdefault(annotator, role)
        key = _row_key(resolver.hashes[item_id], annotator, decision, class_name, seconds, note)
        if key in known or key in seen:
            result.already_there += 1
            continue
        seen.add(key)
        reads.append(ImportedRead(item_id=item_id, annotator=annotator, decision=decision,
                                  class_name=class_name, seconds_spent=seconds, note=note,
                                  origin=key))
    check(cancel)
    result.annotators_created = sorted({r.annotator for r in reads} - set(existing_annotators))
    result.added = project.add_imported_reads(reads, roles)
    report(progress, "reading labels", len(rows), len(rows))
    project.audit("alstudio", "import-labels", {"file": str(csv_path), **{
        k: v for k, v in result.as_json().items() if k != "skipped"},
        "skipped": len(result.skipped)})
    return result


def _parse_row(row: dict[str, Any], resolver: ItemResolver, classes: dict[str, str]
               ) -> tuple[int, str, str, str | None, float | None, str | None, str | None] | str:
    """The row's values, or the reason it is skipped."""
    def cell(name: str) -> str:
        value = row.get(name)
        return value.strip() if isinstance(value, str) else ""

    item_id, why = resolver.find(cell("item"))
    if item_id is None:
        return why or "no item given"
    annotator = cell("annotator")
    if not annotator:
        return "no annotator given"
    label = cell("label")
    if label.lower() in ("skip", "unsure"):
        decision, class_name = label.lower(), None
    elif label.lower() in classes:
        decision, class_name = "label", classes[label.lower()]
    else:
        return (f"no class {label!r} in this project (classes: "
                f"{', '.join(classes.values())}; or skip, unsure)")
    seconds: float | None = None
    if cell("seconds"):
        try:
            seconds = float(cell("seconds"))
        except ValueError:
            return f"seconds {cell('seconds')!r} is not a number"
        if seconds < 0:
            return "seconds cannot be negative"
    role = cell("role").lower() or None
    if role is not None and role not in ROLES:
        return f"unknown role {role!r} (use {', '.join(ROLES)})"
    return item_id, annotator, decision, class_name, seconds, role, cell("note") or None
