"""Where alstudio's own files are: shipped resources, and the per-user folders it writes to.

Resources live in the repository's top-level ``resources/`` and are packed into the wheel as
``alstudio/resources`` (see pyproject), so both an editable checkout and an installed or frozen
app find them. Everything alstudio writes for itself (settings, logs, the demo project, caches)
goes to the operating system's per-user folders, chosen by platformdirs, and never next to the
program: an install folder may be read-only (``C:\\Program Files``, ``/opt``, a signed macOS
app). A project's derived cache stays beside the project file (see ``Project.cache_dir``).

On Linux the folders follow the XDG base directories (``$XDG_*_HOME`` when set):

=========  ===================================  =========================================
kind       Linux                                Windows / macOS
=========  ===================================  =========================================
settings   ``~/.config/alstudio/alstudio.ini``  ``%LOCALAPPDATA%\\alstudio`` /
                                                ``~/Library/Application Support/alstudio``
data       ``~/.local/share/alstudio``          ``%LOCALAPPDATA%\\alstudio`` /
                                                ``~/Library/Application Support/alstudio``
logs       ``~/.local/state/alstudio/log``      ``%LOCALAPPDATA%\\alstudio\\Logs`` /
                                                ``~/Library/Logs/alstudio``
cache      ``~/.cache/alstudio``                ``%LOCALAPPDATA%\\alstudio\\Cache`` /
                                                ``~/Library/Caches/alstudio``
=========  ===================================  =========================================
"""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

from alstudio.errors import AlstudioError

APP_NAME = "alstudio"
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


def _dirs() -> platformdirs.PlatformDirs:
    """Read afresh on every call, so a changed HOME or ``XDG_*`` (tests, sandboxes) is seen."""
    return platformdirs.PlatformDirs(APP_NAME, appauthor=False, roaming=False)


def settings_dir() -> Path:
    """The folder of the settings file ``alstudio.ini`` (recent projects, theme, layout)."""
    return _dirs().user_config_path


def user_data_dir() -> Path:
    """Files the user did not choose a place for: the demo project."""
    return _dirs().user_data_path


def log_dir() -> Path:
    """The rotating log file's folder (the About box names the file)."""
    return _dirs().user_log_path


def cache_dir() -> Path:
    """Caches that belong to no project (a project's own cache stays beside its file)."""
    return _dirs().user_cache_path


def user_dirs() -> dict[str, Path]:
    """Every per-user folder by kind, for the About box, the docs and the read-only tests."""
    return {"settings": settings_dir(), "data": user_data_dir(), "logs": log_dir(),
            "cache": cache_dir()}


def default_demo_path() -> Path:
    """Where `alstudio demo` and "Open demo" put the demo project when not told."""
    return user_data_dir() / "demo.alstudio"
