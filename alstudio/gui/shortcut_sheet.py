"""The shortcut sheet (F1), generated from the menus themselves so it never drifts.

Every menu action with a shortcut is listed under its menu; the viewer's own mouse and key
bindings come from the viewer's documentation (its module docstring), the one place they
are written down.
"""

from __future__ import annotations

import html
import inspect

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


def shortcut_text(action: QAction) -> str:
    fmt = QKeySequence.SequenceFormat.NativeText
    return ", ".join(seq.toString(fmt) for seq in action.shortcuts() if not seq.isEmpty())


def menu_shortcuts(menu_bar: QMenuBar) -> list[tuple[str, list[tuple[str, str]]]]:
    """(menu title, [(action text, keys), ...]) for every action that has a shortcut."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []

    def walk(menu: QMenu, title: str) -> None:
        rows: list[tuple[str, str]] = []
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{title} › {action.text().replace('&', '')}")
                continue
            keys = shortcut_text(action)
            if keys and not action.isSeparator():
                rows.append((action.text().replace("&", ""), keys))
        if rows:
            sections.append((title, rows))

    for action in menu_bar.actions():
        if action.menu() is not None:
            walk(action.menu(), action.text().replace("&", ""))
    return sections


def viewer_bindings() -> str:
    """The viewer's documented mouse and key bindings, verbatim."""
    try:
        from alstudio.gui.viewer import viewer as viewer_module
    except ImportError:
        return ""
    doc = inspect.getdoc(viewer_module) or ""
    start = doc.find("Mouse")
    return doc[start:].strip() if start >= 0 else ""


def sheet_html(menu_bar: QMenuBar) -> str:
    parts = ["<h2>Keyboard shortcuts</h2>"]
    for title, rows in menu_shortcuts(menu_bar):
        parts.append(f"<h3>{html.escape(title)}</h3><table cellspacing='0' cellpadding='3'>")
        for text, keys in rows:
            parts.append(f"<tr><td width='220'><b>{html.escape(keys)}</b></td>"
                         f"<td>{html.escape(text)}</td></tr>")
        parts.append("</table>")
    viewer = viewer_bindings()
    if viewer:
        parts.append("<h3>Viewer (mouse, and keys while the scan has focus)</h3>")
        parts.append(f"<pre>{html.escape(viewer)}</pre>")
    return "\n".join(parts)


class ShortcutSheet(QDialog):
    def __init__(self, menu_bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(720, 760)
        self.browser = QTextBrowser()
        self.browser.setHtml(sheet_html(menu_bar))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)

    @classmethod
    def present(cls, menu_bar: QMenuBar, parent: QWidget | None = None) -> None:
        cls(menu_bar, parent).exec()
