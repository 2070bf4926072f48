"""Import scans into a project: the one function behind `alstudio import` and the GUI dialog.

Each file is indexed from its header, decoded once to prove its pixels are readable, and stored
as an item (paths relative to the dataset root the user gave). Items are written in small
batches, each batch one transaction, so a cancel or a crash keeps every finished batch and
never half an item. A file that cannot be read is reported with its path and a one-line reason
and skipped; the import goes on. Decoding runs in a child process with a time limit per file
(``file_timeout``, see :mod:`alstudio.datasets.read_worker`): a file whose decoder spins is
skipped after the limit ("took longer than 30 s to read; skipped"), never a hang.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alstudio.datasets import ScanRecord, SkippedFile, discover
from alstudio.datasets.read_worker import FILE_TIMEOUT_SECONDS, FileTimedOut, GuardedReader
from alstudio.errors import AlstudioError, Cancelled, ScanReadError
from alstudio.jobs import CancelToken, ProgressCallback, Throttle, check, report
from alstudio.project import SPLITS, NewItem, Project

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class ImportReport:
    """What an import did; ``as_json`` is the `--json` output."""

    imported: int = 0
    duplicates: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_split: Counter[str] = field(default_factory=Counter)
    #: Items whose geometry a reader must know about: path and one line per warning.
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: Files skipped because decoding them took longer than the time limit per file.
    timed_out: int = 0
    cancelled: bool = False
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "by_kind": dict(self.by_kind),
            "by_split": dict(self.by_split),
            "warnings": self.warnings,
            "timed_out": self.timed_out,
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 3),
        }

    def skipped_by_reason(self) -> Counter[str]:
        """How many files were skipped for each reason: what a person reads first."""
        return Counter(entry["reason"] for entry in self.skipped)

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.by_kind.items())) or "none"
        text = (f"Imported {self.imported} item(s) ({kinds}); {self.duplicates} duplicate(s) "
                f"already in the project; {len(self.skipped)} file(s) skipped.")
        if self.timed_out:
            text = text[:-1] + f" ({self.timed_out} over the time limit per file)."
        if self.warnings:
            text += (f" {len(self.warnings)} item(s) with a geometry warning (slice gap, "
                     "tilt): shown with the scan.")
        if self.cancelled:
            text += " Cancelled: items imported before the cancel are kept."
        return text


NOT_TEXT_REASON = ("its name is not valid UTF-8 text, which the project cannot store; rename "
                   "it (e.g. with convmv) and import again")


def _root_for(path: Path) -> Path:
    """The dataset root for an imported path: the folder itself, or a file's folder."""
    return path if path.is_dir() else path.parent


def shown(path: str | Path) -> str:
    """A path as printable text: bytes that are not UTF-8 appear as ``\\xff`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _is_text(*paths: str | Path) -> bool:
    """Whether every path can be stored as UTF-8 text."""
    try:
        for path in paths:
            os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _skip(result: ImportReport, path: str | Path, reason: str) -> None:
    """Record one skipped file (every path goes to the report and the log)."""
    result.skipped.append({"path": shown(path), "reason": reason})
    log.info("skipped %s: %s", shown(path), reason)


def stored_item(record: ScanRecord, root: Path, split: str | None,
                modality: str | None) -> NewItem:
    """The one conversion from a scan the readers found to the item the project stores:
    paths made relative to ``root``, the split chosen, the modality filled in."""
    files = tuple(os.path.relpath(f, root) for f in record.source.files)
    chosen = split or record.split_hint or "pool"
    primary = files[0] if len(files) == 1 else os.path.dirname(files[0]) or files[0]
    if record.source.member:
        primary = f"{files[0]}#{record.source.member}"
    return NewItem(
        path=primary, kind=record.source.kind, files=files, member=record.source.member,
        content_hash=record.content_hash, split=chosen, modality=record.modality or modality,
        shape=tuple(int(s) for s in record.shape),
        spacing=tuple(float(s) for s in record.spacing) if record.spacing else None,
        series_uid=record.series_uid, metadata=dict(record.metadata),
        reference_label=record.reference_label,
    )


def import_paths(
    project: Project,
    paths: Sequence[str | Path],
    split: str | None = None,
    *,
    modality: str | None = None,
    actor: str = "alstudio",
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    file_timeout: float = FILE_TIMEOUT_SECONDS,
) -> ImportReport:
    """Import files and folders into ``project``.

    ``split`` forces 'pool' or 'test'; left ``None``, items go to the pool unless their archive
    says otherwise (a MedMNIST archive's test images go to the test split). ``modality``
    fills in for files that do not name one (PNG, TIFF, .npz): "US", "CR", "SM"...
    ``file_timeout``: seconds one file may take to decode before it is skipped.
    """
    if split is not None and split not in SPLITS:
        raise AlstudioError(f"Unknown split {split!r}.", "Use --split pool or --split test.")
    if not file_timeout > 0:
        raise AlstudioError(f"A time limit of {file_timeout} s per file is not possible.",
                            "Give a number of seconds above 0, e.g. --file-timeout 30.")
    started = time.monotonic()
    result = ImportReport()
    with GuardedReader[ScanRecord](file_timeout) as reader:
        reader.start()  # imports the readers while discovery reads the first headers
        _import_all(project, paths, split, modality, reader, result, progress, cancel)
    result.seconds = time.monotonic() - started
    project.audit(actor, "import", {
        "paths": [shown(p) for p in paths], "imported": result.imported,
        "duplicates": result.duplicates, "skipped": len(result.skipped),
        "cancelled": result.cancelled,
    })
    report(progress, "importing", result.imported, result.imported, result.summary())
    return result


def _import_all(project: Project, paths: Sequence[str | Path], split: str | None,
                modality: str | None, reader: GuardedReader[ScanRecord], result: ImportReport,
                progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
    """Discover every path, have each scan decoded by ``reader``, store what passed."""
    throttle = Throttle()
    try:
        for raw in paths:
            path = Path(raw).expanduser()
            if not path.exists():
                _skip(result, path, "no such file or folder")
                continue
            root = _root_for(path.resolve())
            if not _is_text(root):
                raise AlstudioError(f"The folder {shown(root)} has a name that is not valid "
                                    "UTF-8 text, which the project cannot store.",
                                    "Rename it (e.g. with convmv) and import again.")
            dataset_id = project.dataset_root_id(root)
            batch: list[NewItem] = []
            for found in discover([path.resolve()], progress=progress, cancel=cancel):
                check(cancel)
                if isinstance(found, SkippedFile):
                    _skip(result, found.path, found.reason)
                    continue
                if not _is_text(*found.source.files, found.source.member or ""):
                    _skip(result, found.source.files[0], NOT_TEXT_REASON)
                    continue
                reader.submit(found, found.source, shown(found.source.files[0]))
                _collect(reader.finished(), root, split, modality, batch, result)
                if len(batch) >= BATCH:
                    _flush(project, dataset_id, batch, result)
                if throttle.ready():
                    report(progress, "importing", result.imported + len(batch), None,
                           f"{result.imported + len(batch)} item(s), "
                           f"{len(result.skipped)} skipped")
            _collect(reader.drain(), root, split, modality, batch, result)
            _flush(project, dataset_id, batch, result)
    except Cancelled:
        result.cancelled = True


def _collect(done: Iterator[tuple[ScanRecord, ScanReadError | None]], root: Path,
             split: str | None, modality: str | None, batch: list[NewItem],
             result: ImportReport) -> None:
    """Files the reader has finished: the good ones join the batch, the rest are skipped."""
    for found, error in done:
        if error is not None:
            result.timed_out += isinstance(error, FileTimedOut)
            _skip(result, error.path, error.reason)
        else:
            batch.append(stored_item(found, root, split, modality))


def _flush(project: Project, dataset_id: int, batch: list[NewItem],
           result: ImportReport) -> None:
    if not batch:
        return
    for item_id, item in zip(project.add_items(dataset_id, batch), batch, strict=True):
        if item_id is None:
            result.duplicates += 1
        else:
            result.imported += 1
            result.by_kind[item.kind] += 1
            result.by_split[item.split] += 1
            notes = str(item.metadata.get("warnings") or "")
            if notes:
                result.warnings.append({"path": item.path, "warnings": notes.splitlines()})
    batch.clear()
