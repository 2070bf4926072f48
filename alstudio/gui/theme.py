"""Dark (the default: reading rooms are dark) and light themes: a QPalette plus a QSS file.

The palette gives every standard widget sensible colours, the style sheet in
``resources/style/<theme>.qss`` only refines spacing and a few accents. Both are applied to the
whole application, so dialogs and docks always match the window.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from alstudio.errors import AlstudioError
from alstudio.paths import resources_dir

log = logging.getLogger(__name__)

# Low-contrast greys keep the chrome quiet next to the scan; one muted blue marks focus.
DARK = {
    "window": "#202124", "base": "#17181a", "alt": "#26272b", "text": "#d6d6d6",
    "dim": "#8a8c91", "button": "#2b2d31", "highlight": "#3d6a99", "link": "#7aa7d6",
}
LIGHT = {
    "window": "#eef0f2", "base": "#ffffff", "alt": "#f4f5f7", "text": "#1f2328",
    "dim": "#6b7078", "button": "#e3e6ea", "highlight": "#3d6a99", "link": "#2f5f93",
}


def palette(theme: str) -> QPalette:
    c = DARK if theme == "dark" else LIGHT
    pal = QPalette()
    role = QPalette.ColorRole
    pal.setColor(role.Window, QColor(c["window"]))
    pal.setColor(role.WindowText, QColor(c["text"]))
    pal.setColor(role.Base, QColor(c["base"]))
    pal.setColor(role.AlternateBase, QColor(c["alt"]))
    pal.setColor(role.ToolTipBase, QColor(c["alt"]))
    pal.setColor(role.ToolTipText, QColor(c["text"]))
    pal.setColor(role.PlaceholderText, QColor(c["dim"]))
    pal.setColor(role.Text, QColor(c["text"]))
    pal.setColor(role.Button, QColor(c["button"]))
    pal.setColor(role.ButtonText, QColor(c["text"]))
    pal.setColor(role.BrightText, QColor("#ff6b6b"))
    pal.setColor(role.Highlight, QColor(c["highlight"]))
    pal.setColor(role.HighlightedText, QColor("#ffffff"))
    pal.setColor(role.Link, QColor(c["link"]))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.ButtonText, role.WindowText):
        pal.setColor(disabled, r, QColor(c["dim"]))
    return pal


def style_sheet(theme: str) -> str:
    """The theme's QSS; an empty sheet (and a log line) if the file is missing."""
    try:
        path = resources_dir() / "style" / f"{theme}.qss"
        return path.read_text(encoding="utf-8")
    except (OSError, AlstudioError):
        log.warning("style sheet for theme %r not found; using the palette only", theme)
        return ""


def apply_theme(app: QApplication, theme: str) -> None:
    """Switch the whole application to ``theme`` ("dark" or "light")."""
    theme = theme if theme in ("dark", "light") else "dark"
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None and app.style().name().lower() != "fusion":
        app.setStyle(fusion)
    app.setPalette(palette(theme))
    app.setStyleSheet(style_sheet(theme))
    app.setProperty("alstudio_theme", theme)


def current_theme(app: QApplication) -> str:
    return str(app.property("alstudio_theme") or "dark")


def dim_colour() -> str:
    """The muted text colour of the current theme, for secondary labels."""
    app = QApplication.instance()
    theme = current_theme(app) if isinstance(app, QApplication) else "dark"
    return (DARK if theme == "dark" else LIGHT)["dim"]
