"""Merge project files from separate workstations into a new one.

``merge_projects([A, B], OUT)`` writes OUT with the union of A's and B's items (matched by
content hash), reads, rounds and checkpoints (see :mod:`alstudio.project.merge` for what is
"the same"). The inputs are never touched: each is copied (with its write-ahead log) into a
scratch folder and read from there, so not even an older schema's migration writes to them.
OUT is built beside its final name and renamed into place only when complete.

Class sets must match. ``class_map`` (``{"OLD": "NEW"}``, from ``--map OLD=NEW``) renames
classes in any input first; two old names may map onto one. Reads that differ between readers
become disagreements like any other; the report lists the items that disagree in OUT but did
in no input.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.project import ClassSpec, Project
from alstudio.project.merge import MergeCounts, merge_into


@dataclass
class MergeReport:
    output: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    counts: MergeCounts = field(default_factory=MergeCounts)
    new_disagreements: list[int] = field(default_factory=list)  # item ids in the output
    disagreements: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"output": self.output, "sources": self.sources, "added": asdict(self.counts),
                "disagreements": self.disagreements,
                "new_disagreements": self.new_disagreements}

    def summary(self) -> str:
        c = self.counts
        text = (f"Merged {len(self.sources)} project(s) into {self.output}: {c.items} item(s), "
                f"{c.label_events} label event(s), {c.rounds} round(s), {c.checkpoints} "
                f"checkpoint(s). {self.disagreements} item(s) with disagreeing readers, "
                f"{len(self.new_disagreements)} of them new from the merge.")
        if c.split_conflicts:
            text += (f" {len(c.split_conflicts)} item(s) were in different splits; the first "
                     "file's split was kept.")
        if c.role_conflicts:
            text += f" Role differs for {', '.join(c.role_conflicts)}; the first file's kept."
        return text


def parse_class_map(pairs: Sequence[str]) -> dict[str, str]:
    """``["OLD=NEW", ...]`` -> ``{"OLD": "NEW"}``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise AlstudioError(f"--map {pair!r} is not OLD=NEW.",
                                "Example: --map lesion=abnormal")
        mapping[old.strip()] = new.strip()
    return mapping


def _snapshot(path: Path, folder: Path) -> Path:
    """A private copy of a project file (and its WAL) to read without touching the original."""
    if not Path(path).is_file():
        raise AlstudioError(f"No project file at {path}.", "Check the path.")
    copy = folder / f"{uuid.uuid4().hex}.alstudio"
    shutil.copyfile(path, copy)
    for suffix in ("-wal",):
        side = Path(f"{path}{suffix}")
        if side.is_file():
            shutil.copyfile(side, Path(f"{copy}{suffix}"))
    return copy


def _classes(projects: Sequence[Project], names: Sequence[Path],
             class_map: dict[str, str]) -> list[ClassSpec]:
    """The output's classes (the first file's order and colours), refusing different sets."""
    sets = [{class_map.get(c, c) for c in p.class_names()} for p in projects]
    if any(s != sets[0] for s in sets[1:]):
        listing = "; ".join(f"{n.name}: {', '.join(sorted(s))}"
                            for n, s in zip(names, sets, strict=True))
        raise AlstudioError(f"The projects have different classes ({listing}); merge refused.",
                            "Rename with --map OLD=NEW (for example --map lesion=abnormal) so "
                            "that both name the same classes.")
    specs: dict[str, ClassSpec] = {}
    for project in projects:
        for c in project.classes():
            name = class_map.get(c.name, c.name)
            specs.setdefault(name, ClassSpec(name, c.shortcut, c.colour))
    used: set[str | None] = set()
    out = []
    for spec in specs.values():  # a shortcut may repeat once two classes became one
        key = spec.shortcut if spec.shortcut not in used else None
        used.add(key)
        out.append(ClassSpec(spec.name, key, spec.colour))
    return out


def _hashes(project: Project) -> dict[int, str]:
    return {int(i): str(h) for i, h in project.db.execute("SELECT id, content_hash FROM items")}


def _disagreeing_hashes(project: Project) -> set[str]:
    hashes = _hashes(project)
    return {hashes[i] for i, s in project.current_labels().items() if s.disagreement}


def merge_projects(inputs: Sequence[Path], output: Path, class_map: dict[str, str] | None = None,
                   *, progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> MergeReport:
    """Write ``output`` holding the work of every input; the inputs stay as they were."""
    class_map = class_map or {}
    output = Path(output)
    if len(inputs) < 2:
        raise AlstudioError("Merging needs two project files or more.")
    if output.exists():
        raise AlstudioError(f"{output} already exists; merge refused.",
                            "Choose a new output file name (-o).")
    resolved = [Path(p).resolve() for p in inputs]
    if output.resolve() in resolved:
        raise AlstudioError("The output must be a new file, not one of the inputs.")
    output.parent.mkdir(parents=True, exist_ok=True)
    result = MergeReport(output=str(output))
    building = output.with_name(f".{output.name}.{uuid.uuid4().hex}.merging")
    with tempfile.TemporaryDirectory(prefix="alstudio-merge-") as scratch:
        folder = Path(scratch)
        sources: list[Project] = []
        try:
            for n, path in enumerate(inputs):
                check(cancel)
                report(progress, "reading inputs", n, len(inputs), Path(path).name)
                sources.append(Project.open(_snapshot(Path(path), folder)))
            specs = _classes(sources, [Path(p) for p in inputs], class_map)
            known_mapped = {s.name for s in specs}
            bad = [new for new in class_map.values() if new not in known_mapped]
            if bad:
                raise AlstudioError(f"--map names class {bad[0]!r}, which no input has after "
                                    "renaming.", "Map onto one of the inputs' classes.")
            before = set().union(*(_disagreeing_hashes(s) for s in sources))
            check(cancel)
            report(progress, "merging", 0, 1)
            with Project.create(building, specs, name=output.stem) as merged:
                result.counts = merge_into(merged, sources, [class_map] * len(sources))
                after = [i for i, s in merged.current_labels().items() if s.disagreement]
                result.disagreements = len(after)
                hashes = _hashes(merged)
                result.new_disagreements = sorted(i for i in after if hashes[i] not in before)
                for path, source in zip(inputs, sources, strict=True):
                    result.sources.append({"path": str(path), "name": source.name,
                                           "workstation_id": source.workstation_id})
                merged.audit("alstudio", "merge", {
                    "sources": result.sources, "added": asdict(result.counts) | {
                        "split_conflicts": len(result.counts.split_conflicts)},
                    "class_map": class_map})
                merged.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            check(cancel)
            os.replace(building, output)
        finally:
            for source in sources:
                source.close()
            for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
                leftover.unlink(missing_ok=True)
    report(progress, "merging", 1, 1, "done")
    return result
