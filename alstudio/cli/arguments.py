"""Argument types that check a value the moment it is parsed, before any work starts.

Numbers out of range are misuse (argparse's usage line and exit 2); paths that are
missing, read-only or in a pseudo file system are user errors (exit 1 through
:class:`AlstudioError`, raised from inside parsing, which ``cli.main`` catches). Nothing here
imports numpy, torch or the readers, so a wrong ``--batch`` is refused in the time it takes
Python to start.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from alstudio.errors import AlstudioError

SQLITE_MAX_INT = 2**63 - 1
_PSEUDO_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))


def int_at_least(low: int, high: int = SQLITE_MAX_INT) -> Callable[[str], int]:
    """An integer type for argparse accepting ``low <= value <= high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, not {value}")
        return value

    parse.__name__ = "integer"
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)
item_id = int_at_least(1)


def finite_float(low: float = 0.0, high: float = math.inf, *,
                 low_open: bool = False) -> Callable[[str], float]:
    """A float type for argparse: finite, within ``[low, high]`` (``(low, high]`` if open)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, not {text}")
        if value < low or (low_open and value == low) or value > high:
            bracket = "(" if low_open else "["
            raise argparse.ArgumentTypeError(f"must be in {bracket}{low:g}, {high:g}], not {text}")
        return value

    parse.__name__ = "number"
    return parse


seconds = finite_float(0.0)
fraction = finite_float(0.0, 1.0, low_open=True)


def _printable(path: Path) -> str:
    """A path as text even when its bytes are not valid UTF-8."""
    return os.fsdecode(path).encode("utf-8", "backslashreplace").decode("utf-8")


def _refuse_pseudo(path: Path) -> None:
    resolved = Path(os.path.abspath(path))
    for root in _PSEUDO_ROOTS:
        if resolved == root or root in resolved.parents:
            raise AlstudioError(f"{_printable(path)} is inside {root}, a system folder that "
                                "cannot hold files.", "Choose a folder in your home or data "
                                "directory.")


def existing_file(text: str) -> Path:
    """A file that must exist (a project to open, a dataset archive)."""
    path = Path(text)
    if path.is_dir():
        raise AlstudioError(f"{_printable(path)} is a folder, not a file.",
                            "Pass the path of the file itself.")
    if not path.exists():
        raise AlstudioError(f"No file at {_printable(path)}.", "Check the path and spelling.")
    return path


def existing_project(text: str) -> Path:
    """A project file that must exist."""
    path = Path(text)
    if path.is_dir():
        raise AlstudioError(f"{_printable(path)} is a folder, not a project file.",
                            "Pass the path of the .alstudio file.")
    if not path.exists():
        raise AlstudioError(f"No project file at {_printable(path)}.",
                            "Create one with `alstudio new PROJECT --classes a,b`.")
    return path


def existing_path(text: str) -> Path:
    """A file or folder that must exist (what `import` reads)."""
    path = Path(text)
    if not path.exists() and not path.is_symlink():
        raise AlstudioError(f"Nothing at {_printable(path)}.", "Check the path and spelling.")
    return path


def _writable_folder(folder: Path, path: Path) -> None:
    """Prove the folder takes a new file by creating (and removing) one in it."""
    probe = folder / f".alstudio-probe-{uuid.uuid4().hex}"
    try:
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as exc:
        raise AlstudioError(f"Cannot write {_printable(path)}: {exc.strerror or exc}.",
                            "Choose a writable folder.") from exc


def new_file(text: str) -> Path:
    """A file to be created: not there yet, in a folder that exists (or can be made) and takes
    new files."""
    path = Path(text)
    _refuse_pseudo(path)
    if path.exists():
        raise AlstudioError(f"{_printable(path)} already exists.",
                            "Choose another name, or move that file aside.")
    output_folder(path)
    return path


def output_file(text: str) -> Path:
    """A result file that may be overwritten; its folder must take new files (checked now,
    not after a run of minutes)."""
    path = Path(text)
    _refuse_pseudo(path)
    if path.is_dir():
        raise AlstudioError(f"{_printable(path)} is a folder.", "Give a file name.")
    output_folder(path)
    return path


def output_folder(path: Path) -> None:
    """Create the folder ``path`` goes into if needed and check that it is writable."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AlstudioError(f"Cannot create the folder {_printable(folder)}: "
                            f"{exc.strerror or exc}.", "Choose a writable place.") from exc
    _writable_folder(folder, path)


def encodable_text(text: str) -> str:
    """Text the project can store (command-line bytes that are not UTF-8 are refused)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"{text.encode('utf-8', 'surrogateescape')!r} is not valid UTF-8 text") from None
    return text


def printable_error(message: str) -> str:
    """A message safe to print on any terminal, on one line (undecodable bytes shown as
    escapes)."""
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    message = message.replace("\r", " ").replace("\n", " ")  # one line, whatever the parts held
    return message.encode(encoding, "backslashreplace").decode(encoding, "replace")
