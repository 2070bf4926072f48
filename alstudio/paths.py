"""Where alstudio's own files are: shipped resources, user data, logs.

Resources live in the repository's top-level ``resources/`` and are packed into the wheel as
``alstudio/resources`` (see pyproject), so both an editable checkout and an installed or frozen
app find them. User folders follow the platform's conventions without any extra dependency.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from alstudio.errors import AlstudioError

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The folder of shipped resources (demo dataset, style sheet, icons)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = [
        _PACKAGE / "resources",
        _PACKAGE.parent / "resources",
    ]
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / "alstudio" / "resources")
    for candidate in candidates:
        if (candidate / "demo").is_dir():
            return candidate
    raise AlstudioError("alstudio's resources folder is missing.",
                        "Reinstall alstudio; the demo dataset and style sheet live there.")


def _user_dir(kind: str) -> Path:
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return base / "alstudio" / kind
    if sys.platform == "darwin":
        sub = {"data": "Application Support", "logs": "Logs", "cache": "Caches"}[kind]
        return home / "Library" / sub / "alstudio"
    env = {"data": "XDG_DATA_HOME", "logs": "XDG_STATE_HOME", "cache": "XDG_CACHE_HOME"}[kind]
    default = {"data": ".local/share", "logs": ".local/state", "cache": ".cache"}[kind]
    base = Path(os.environ.get(env) or home / default)
    return base / "alstudio" / ("log" if kind == "logs" else "")


def user_data_dir() -> Path:
    return _user_dir("data")


def log_dir() -> Path:
    return _user_dir("logs")


def default_demo_path() -> Path:
    return user_data_dir() / "demo.alstudio"
