"""The menu and combo box that offer a scan's named windows.

Which windows a scan has, in which order and under which label, is pure logic in
:mod:`alstudio.datasets.windowing` (``preset_names``, ``preset_label``, ``preset_value``).
The widgets here drive any :class:`PresetTarget` (the scan viewer is one), so this module does
not import the viewer, and the viewer can import it for its context menu.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QMenu, QWidget

from alstudio.datasets.records import ScanImage
from alstudio.datasets.windowing import DEFAULT, preset_label

__all__ = ["PresetComboBox", "PresetTarget", "build_preset_menu", "preset_label"]


class PresetTarget(Protocol):
    """What the preset widgets need of a viewer."""

    imageChanged: SignalInstance
    windowChanged: SignalInstance

    def image(self) -> ScanImage | None: ...
    def current_preset(self) -> str | None: ...
    def preset_names(self) -> list[str]: ...
    def apply_preset(self, name: str) -> bool: ...
    def invert(self) -> bool: ...
    def set_invert(self, invert: bool) -> None: ...
    def reset_window(self) -> None: ...
    def fit(self) -> None: ...
    def one_to_one(self) -> None: ...


def build_preset_menu(viewer: PresetTarget, parent: QWidget | None = None) -> QMenu:
    """A menu of the viewer's windows plus reset, invert, fit and 1:1 (shortcuts shown)."""
    menu = QMenu("Window", parent)
    group = QActionGroup(menu)
    current = viewer.current_preset()
    for name in [DEFAULT, *viewer.preset_names()]:
        action = QAction(preset_label(name), menu, checkable=True)
        action.setChecked(name == current)
        action.triggered.connect(lambda _checked=False, n=name: viewer.apply_preset(n))
        group.addAction(action)
        menu.addAction(action)
        if name == DEFAULT:
            menu.addSeparator()
    menu.addSeparator()
    invert = QAction("Invert\tI", menu, checkable=True)
    invert.setChecked(viewer.invert())
    invert.toggled.connect(viewer.set_invert)
    menu.addAction(invert)
    menu.addAction("Reset window\tR", viewer.reset_window)
    menu.addSeparator()
    menu.addAction("Fit\tF", viewer.fit)
    menu.addAction("1:1 pixels\tCtrl+1", viewer.one_to_one)
    return menu


class PresetComboBox(QComboBox):
    """A combo box that follows one viewer: lists its presets and applies the chosen one.

    It shows "Custom" (its placeholder) while the window matches no preset, e.g. after a
    right-button drag.
    """

    def __init__(self, viewer: PresetTarget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._viewer = viewer
        self._names: list[str] = []
        self.setPlaceholderText("Custom")
        self.setToolTip("Window preset (right-drag the image to adjust; R resets)")
        self.activated.connect(self._on_activated)
        viewer.imageChanged.connect(self.refresh)
        viewer.windowChanged.connect(self._follow)
        self.refresh()

    def refresh(self) -> None:
        """Re-list the presets for the viewer's current image."""
        self.blockSignals(True)
        self.clear()
        self._names = [DEFAULT, *self._viewer.preset_names()] if self._viewer.image() else []
        for name in self._names:
            self.addItem(preset_label(name), name)
        self.setEnabled(bool(self._names))
        self.blockSignals(False)
        self._follow()

    def _follow(self, *_args: float) -> None:
        """Show the preset the viewer's window matches, or the "Custom" placeholder."""
        current = self._viewer.current_preset()
        self.setCurrentIndex(self._names.index(current) if current in self._names else -1)

    def _on_activated(self, index: int) -> None:
        """Apply the chosen preset to the viewer."""
        if 0 <= index < len(self._names):
            self._viewer.apply_preset(self._names[index])
