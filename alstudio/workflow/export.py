"""An export run on a project: rows, one format, the manifest; cancellable, all or nothing.

The CLI verb and the GUI's File > Export both call :func:`run_export`. It opens its own
project connection (the GUI runs it in a worker thread), stages every file beside the
target and moves them in only when the format has finished, so a cancel leaves no half
export and never a manifest (see :mod:`alstudio.export.writer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alstudio import __version__
from alstudio.export import (
    MANIFEST,
    Deidentifier,
    DeidKeys,
    ExportOptions,
    ExportWriter,
    FormatResult,
    build_rows,
    counts,
    export_csv,
    export_dicom,
    export_folders,
    export_json,
    export_model,
    export_monai,
    export_sr,
)
from alstudio.export.rows import ExportRow
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.project import Project
from alstudio.project.timeutil import utc_now


@dataclass
class ExportReport:
    """What an export wrote: the folder, its files, the counts, what was left out and why."""

    out: Path
    format: str
    items_written: int
    files: dict[str, str]
    counts: dict[str, dict[str, int]]
    left_out: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the status bar and the command line."""
        text = (f"Exported {self.items_written} item(s) as {self.format} to {self.out} "
                f"({len(self.files)} file(s) + {MANIFEST})")
        if self.left_out:
            text += f"; {len(self.left_out)} left out (listed in {MANIFEST})"
        return text + "."

    def as_json(self) -> dict[str, Any]:
        """The report as ``alstudio export --json`` prints it."""
        return {"out": str(self.out), "format": self.format,
                "items_written": self.items_written, "files": len(self.files),
                "counts": self.counts, "left_out": self.left_out, "warnings": self.warnings}


def _statuses(options: ExportOptions) -> tuple[str, ...] | None:
    """Which rows a format reads: tables take every status, image formats the labeled."""
    if options.format in ("csv", "json"):
        return None
    if options.format == "monai" and options.include_unlabeled:
        return ("labeled", "unlabeled")
    return ("labeled",)


def _run_format(project: Project, rows: list[ExportRow], writer: ExportWriter,
                options: ExportOptions, progress: ProgressCallback | None,
                cancel: CancelToken | None) -> FormatResult:
    """Call the chosen format's writer with what it needs from the project."""
    classes = project.class_names()
    fmt = options.format
    if fmt == "csv":
        return export_csv(rows, writer, classes=classes, progress=progress, cancel=cancel)
    if fmt == "json":
        return export_json(rows, writer, project_name=project.name, classes=classes,
                           progress=progress, cancel=cancel)
    if fmt == "monai":
        return export_monai(rows, writer, project_name=project.name, classes=classes,
                            val_fraction=options.val_fraction, seed=options.seed,
                            copy=options.copy, progress=progress, cancel=cancel)
    if fmt == "folders":
        return export_folders(rows, writer, progress=progress, cancel=cancel)
    if fmt == "dicom":
        deidentifier = None if options.keep_identifiers else \
            Deidentifier(DeidKeys.for_project(project))
        return export_dicom(rows, writer, deidentifier=deidentifier,
                            allow_burned_in=options.allow_burned_in, progress=progress,
                            cancel=cancel)
    if fmt == "dicom-sr":
        return export_sr(rows, writer, classes=classes, progress=progress, cancel=cancel)
    return export_model(project, writer)


def run_export(project_path: Path, out: Path, options: ExportOptions, *,
               progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> ExportReport:
    """Export a project in one format into ``out`` (an empty folder, or any with ``force``)."""
    options.validate()
    with Project.open(project_path) as project:
        writer = ExportWriter(Path(out), force=options.force)
        try:
            report(progress, "rows", 0, None, "Reading labels…")
            rows = build_rows(project, options.split, options.include_unlabeled,
                              _statuses(options))
            check(cancel)
            result = _run_format(project, rows, writer, options, progress, cancel)
            check(cancel)
            manifest = {
                "manifest_version": 1, "format": options.format, "project": project.name,
                "alstudio_version": __version__, "created_at": utc_now(),
                "options": options.as_json(), "counts": counts(rows),
                "items_written": result.written_items, "left_out": result.left_out,
                "warnings": result.warnings, **result.extra,
            }
            report(progress, "writing", 0, None, "Moving files into place…")
            files = writer.commit(manifest)
        except BaseException:
            writer.abort()
            raise
        project.audit("alstudio", "export", {
            "format": options.format, "out": str(writer.out), "items": result.written_items,
            "files": len(files), "left_out": len(result.left_out),
            "keep_identifiers": options.keep_identifiers})
        final = ExportReport(out=writer.out, format=options.format,
                             items_written=result.written_items, files=files,
                             counts=manifest["counts"], left_out=result.left_out,
                             warnings=result.warnings)
    report(progress, "done", 1, 1, final.summary())
    return final
