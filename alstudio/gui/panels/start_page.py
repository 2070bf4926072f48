"""The start page shown when no project is open: recent projects and the three ways in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from alstudio import __version__
from alstudio.gui.actions import Actions

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class StartPage(QWidget):
    """Emits ``open_requested(path)`` when a recent project is chosen."""

    open_requested = Signal(Path)

    def __init__(self, actions: Actions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = QFrame()
        card.setProperty("role", "card")
        card.setMaximumWidth(720)
        title = QLabel("alstudio")
        title.setProperty("role", "heading")
        subtitle = QLabel("Label the scans that teach the model the most. Everything stays on "
                          "this workstation.")
        subtitle.setProperty("role", "dim")
        subtitle.setWordWrap(True)

        buttons = QHBoxLayout()
        for action in (actions.new_project, actions.open_project, actions.open_demo):
            button = QPushButton(action.text().replace("&", ""))
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            buttons.addWidget(button)
        buttons.addStretch(1)

        recent_title = QLabel("Recent projects")
        recent_title.setProperty("role", "dim")
        self.recent = QListWidget()
        self.recent.setAlternatingRowColors(True)
        self.recent.setMaximumHeight(280)
        self.recent.itemActivated.connect(self._activated)
        self.recent.itemDoubleClicked.connect(self._activated)
        self.empty = QLabel("No recent projects yet. Open the demo to try alstudio on 780 "
                            "breast ultrasound crops (BreastMNIST).")
        self.empty.setProperty("role", "dim")
        self.empty.setWordWrap(True)
        version = QLabel(f"version {__version__} · F1 lists every shortcut")
        version.setProperty("role", "dim")

        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addLayout(buttons)
        inner.addSpacing(8)
        inner.addWidget(recent_title)
        inner.addWidget(self.recent)
        inner.addWidget(self.empty)
        inner.addWidget(version)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def set_recent(self, paths: list[Path]) -> None:
        self.recent.clear()
        for path in paths:
            exists = path.exists()
            text = f"{path.stem}    —    {path.parent}" + ("" if exists else "   (missing)")
            item = QListWidgetItem(text)
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            if not exists:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.empty.setVisible(not paths)
        if paths:
            self.recent.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        path = item.data(PATH_ROLE)
        if path:
            self.open_requested.emit(Path(path))
