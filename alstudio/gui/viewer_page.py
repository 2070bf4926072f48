"""The centre of the window with a project open: a slim bar (window preset, mouse hints)
above the scan viewer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from alstudio.gui.viewer import PresetComboBox, ScanViewer


class ViewerPage(QWidget):
    def __init__(self, viewer: ScanViewer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewer = viewer
        self.preset_box = PresetComboBox(viewer)
        self.preset_box.setMinimumWidth(180)
        self.preset_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the scan
        hint = QLabel("right-drag: window/level · wheel: slices/zoom · F1: all shortcuts")
        hint.setProperty("role", "dim")
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(QLabel("Window"))
        bar.addWidget(self.preset_box)
        bar.addStretch(1)
        bar.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(viewer, 1)
