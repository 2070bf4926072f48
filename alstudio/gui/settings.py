"""What the app remembers between sessions: recent projects, theme, annotator, window layout.

One INI file in the user's settings folder, opened through :func:`qsettings`, so tests can
redirect every read and write into a temporary folder with ``QSettings.setPath`` and never
touch the developer's own settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from alstudio.paths import settings_dir

ORGANISATION = "alstudio"
APPLICATION = "alstudio"
MAX_RECENT = 10
THEMES = ("dark", "light")


def use_user_settings_folder() -> Path:
    """Point Qt's user-scope INI files at alstudio's per-user settings folder (platformdirs),
    so settings sit where the docs say on every platform; called once at start-up, before the
    first read. Returns the settings file's path."""
    folder = settings_dir()  # .../alstudio: Qt adds ORGANISATION/APPLICATION.ini itself
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder.parent))
    return folder.parent / ORGANISATION / f"{APPLICATION}.ini"


def qsettings() -> QSettings:
    """The app's settings store (INI format, user scope)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     ORGANISATION, APPLICATION)


class AppSettings:
    """Typed access to the few values the app keeps; each read goes to the store, so two
    windows never disagree."""

    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store if store is not None else qsettings()

    # -- recent projects --------------------------------------------------------------------
    def recent_projects(self) -> list[Path]:
        raw = self._store.value("recent/projects", [])
        if isinstance(raw, str):  # QSettings hands back a bare string for one-element lists
            raw = [raw]
        if not isinstance(raw, (list, tuple)):
            return []
        return [Path(p) for p in raw if p]

    def add_recent_project(self, path: Path) -> None:
        path = Path(path).resolve()
        recent = [p for p in self.recent_projects() if p != path]
        recent.insert(0, path)
        self._store.setValue("recent/projects", [str(p) for p in recent[:MAX_RECENT]])

    def remove_recent_project(self, path: Path) -> None:
        recent = [p for p in self.recent_projects() if p != Path(path)]
        self._store.setValue("recent/projects", [str(p) for p in recent])

    # -- theme and annotator ----------------------------------------------------------------
    def theme(self) -> str:
        value = str(self._store.value("view/theme", "dark"))
        return value if value in THEMES else "dark"

    def set_theme(self, theme: str) -> None:
        self._store.setValue("view/theme", theme if theme in THEMES else "dark")

    def last_annotator(self) -> str:
        return str(self._store.value("labeling/annotator", "") or "")

    def set_last_annotator(self, name: str) -> None:
        self._store.setValue("labeling/annotator", name)

    def blind_mode(self) -> bool:
        return _as_bool(self._store.value("labeling/blind", True))

    def set_blind_mode(self, blind: bool) -> None:
        self._store.setValue("labeling/blind", bool(blind))

    # -- window layout ----------------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        value = self._store.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self._store.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._store.setValue("window/geometry", geometry)
        self._store.setValue("window/state", state)

    def sync(self) -> None:
        self._store.sync()


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)
