"""The shortcut sheet (F1), generated from the menus themselves so it never drifts.

Every menu action with a shortcut is listed under its menu; the viewer's own mouse and key
bindings come from the viewer's documentation (its module docstring), the one place they
are written down.
"""

from __future__ import annotations

import html
import inspect
import re

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
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{title} › {action.text().replace('&', '')}")
                continue
            keys = shortcut_text(action)
            if keys and not action.isSeparator():
                rows.append((action.text().replace("&", ""), keys))
        if rows:
            sections.append((title, rows))

    for action in menu_bar.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            walk(sub, action.text().replace("&", ""))
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


Section = tuple[str, list[tuple[str, str]]]


def parse_bindings(text: str) -> tuple[list[Section], str]:
    """Turn the viewer's two-column binding list into sections of (keys, meaning) rows.

    Blocks are separated by blank lines. A block's unindented lines are its heading, its
    indented lines hold "keys  meaning" pairs split by two or more spaces (several pairs
    may share a line, separated by ";"; a lone "key = meaning" counts too), and deeper
    lines continue the previous meaning. A block without indented lines is a note.
    """
    sections: list[Section] = []
    notes: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        heading: list[str] = []
        rows: list[tuple[str, str]] = []
        base: int | None = None
        for line in block.splitlines():
            indent = len(line) - len(line.lstrip())
            if indent == 0:
                heading.append(line.strip())
                continue
            base = indent if base is None else base
            if indent > base and rows:
                rows[-1] = (rows[-1][0], f"{rows[-1][1]} {line.strip()}")
                continue
            tokens = [t.strip().rstrip(";") for t in re.split(r"\s{2,}", line.strip())]
            pairs = list(zip(tokens[::2], tokens[1::2], strict=False))
            if len(tokens) % 2:
                left = tokens[-1]
                if " = " in left:
                    key, meaning = left.split(" = ", 1)
                    pairs.append((key, meaning))
                elif pairs:
                    pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]}; {left}")
            rows.extend(pairs)
        if rows:
            sections.append((" ".join(heading), rows))
        elif heading:
            notes.append(" ".join(heading))
    return sections, " ".join(notes)


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td width='220'><b>{html.escape(keys)}</b></td>"
                    f"<td>{html.escape(text)}</td></tr>" for keys, text in rows)
    return f"<table cellspacing='0' cellpadding='3'>{cells}</table>"


def sheet_html(menu_bar: QMenuBar) -> str:
    parts = ["<h2>Keyboard shortcuts</h2>"]
    for title, rows in menu_shortcuts(menu_bar):
        parts.append(f"<h3>{html.escape(title)}</h3>")
        parts.append(_table([(keys, text) for text, keys in rows]))
    viewer = viewer_bindings()
    sections, note = parse_bindings(viewer)
    if sections:
        for title, rows in sections:
            parts.append(f"<h3>Viewer: {html.escape(title)}</h3>")
            parts.append(_table(rows))
        if note:
            parts.append(f"<p>{html.escape(note)}</p>")
    elif viewer:
        parts.append("<h3>Viewer</h3>")
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
