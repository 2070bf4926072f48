"""Named windows for one scan, and the menu and combo box that offer them.

The list is, in order: the file's own windows (what the scanner's console showed), the
modality's classic ones (CT brain, lung, bone, ...), then two computed from the data,
"Auto (percentiles)" and "Full range", because MR, ultrasound and radiographs have no
absolute scale. The computed ones are evaluated only when chosen: a percentile over a large
volume costs tens of milliseconds, which the next-image path must not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QMenu, QWidget

from alstudio.datasets.records import ScanImage
from alstudio.datasets.windowing import window_presets

if TYPE_CHECKING:
    from alstudio.gui.viewer.viewer import ScanViewer

AUTO = "auto"
FULL_RANGE = "full range"
DEFAULT = "default"
_LABELS = {AUTO: "Auto (percentiles)", FULL_RANGE: "Full range", DEFAULT: "File default"}


def preset_label(name: str) -> str:
    """What the menu shows for a canonical preset name."""
    return _LABELS.get(name, name[:1].upper() + name[1:])


def preset_names(image: ScanImage | None) -> list[str]:
    """Canonical names in menu order (without the file default, which is always there)."""
    if image is None:
        return []
    names = list(image.presets)
    for name in [*window_presets(image.modality), AUTO, FULL_RANGE]:
        if name not in names:
            names.append(name)
    return names


def resolve_name(image: ScanImage | None, text: str) -> str | None:
    """The canonical name for ``text``, matched case-insensitively against names and labels."""
    wanted = text.strip().casefold()
    for name in [DEFAULT, *preset_names(image)]:
        if wanted in (name.casefold(), preset_label(name).casefold()):
            return name
    return None


def preset_value(image: ScanImage, name: str,
                 computed: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    """``(centre, width)`` of a canonical preset; ``computed`` caches the data-driven ones."""
    if name == DEFAULT:
        return image.window
    if name in image.presets:
        return image.presets[name]
    fixed = window_presets(image.modality)
    if name in fixed:
        return fixed[name]
    if name in (AUTO, FULL_RANGE):
        if not computed:
            computed.update(window_presets(image.modality, image.array))
        return computed.get(name)
    return None


def build_preset_menu(viewer: ScanViewer, parent: QWidget | None = None) -> QMenu:
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

    def __init__(self, viewer: ScanViewer, parent: QWidget | None = None) -> None:
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
        current = self._viewer.current_preset()
        self.setCurrentIndex(self._names.index(current) if current in self._names else -1)

    def _on_activated(self, index: int) -> None:
        if 0 <= index < len(self._names):
            self._viewer.apply_preset(self._names[index])
