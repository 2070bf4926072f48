"""Errors the user can act on.

Every error raised to the user says what happened *and* what to do next, the way pydicom's
errors do, so that the CLI and the GUI can show ``str(error)`` and nothing else: no traceback
ever reaches an annotator.
"""

from __future__ import annotations

from pathlib import Path


class AlstudioError(Exception):
    """Base class: a message for the user plus an optional hint on what to do next."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} {hint}")


class ProjectError(AlstudioError):
    """The project file cannot be opened, created or written."""


class SchemaTooNewError(ProjectError):
    """The project was written by a newer alstudio than this one."""


class ScanReadError(AlstudioError):
    """One file cannot be read as a scan; the import reports it and goes on.

    ``reason`` is one short line ("truncated pixel data", "not a DICOM file") that the import
    summary shows next to the path.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class Cancelled(AlstudioError):
    """A long job stopped because its cancel token was set. Nothing half-done was written."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class DamagedProjectError(ProjectError):
    """The project file fails its integrity check; it is not opened for writing."""


class ReadOnlyProjectError(ProjectError):
    """The project is open read-only (read-only medium, or damaged): a write was refused."""
