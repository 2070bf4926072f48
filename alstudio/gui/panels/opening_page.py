"""What the window shows while a project opens: its name and a quiet busy bar.

Reading a large project's queue takes a moment; the window stays responsive meanwhile, with
no panel and no labeling key active until the project is ready.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QVBoxLayout, QWidget


class OpeningPage(QWidget):
    """A centred card: "Opening <name>…", what is being done, an indeterminate bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = QFrame()
        card.setProperty("role", "card")
        card.setFixedWidth(560)
        self.title = QLabel("Opening…")
        self.title.setProperty("role", "heading")
        self.detail = QLabel("Reading the queue and where each item stands.")
        self.path = QLabel()
        self.path.setProperty("role", "dim")
        self.path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: how long it takes is not known in advance
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(6)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(10)
        inner.addWidget(self.title)
        inner.addWidget(self.detail)
        inner.addWidget(self.path)
        inner.addWidget(self.bar)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(3)

    def show_opening(self, name: str, path: str) -> None:
        """Say which project is opening (its name, and the file below it)."""
        self.title.setText(f"Opening {name}…")
        metrics = self.path.fontMetrics()
        self.path.setText(metrics.elidedText(path, Qt.TextElideMode.ElideMiddle, 500))
        self.path.setToolTip(path)
