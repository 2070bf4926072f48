"""ScanViewer: one scan at native bit depth, with window/level, zoom, slices and an overlay.

Mouse
    right-drag            window/level: left/right = width (contrast), up/down = centre
                          (drag up = brighter); the step is proportional to the current width,
                          so narrow windows get fine control and wide ones move fast
    right-click           presets menu (with invert, reset, fit, 1:1)
    left- or middle-drag  pan;  double-click = fit
    wheel                 volume: next/previous slice (as in PACS); 2D image: zoom at cursor
    Ctrl+wheel            zoom about the cursor

Keys (only while the viewer has focus; a window-level shortcut on the same key wins, and
digits are never taken: they belong to the label panel's class shortcuts)
    PageDown / Down, PageUp / Up   next / previous slice;  Home / End  first / last slice
    + (or =), -                    zoom in / out;  F or Ctrl+0  fit;  Ctrl+1  1:1 pixels
    R                              reset the window to the file's default
    I                              invert grey levels
    O                              hide / show the overlay text

Zoom 100 % ("1:1") means one scan pixel per *device* pixel, also on HiDPI screens.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from alstudio.datasets.records import ScanImage
from alstudio.datasets.windowing import (
    DEFAULT,
    preset_label,
    preset_names,
    preset_value,
    resolve_name,
)
from alstudio.gui.viewer import colour
from alstudio.gui.viewer.canvas import ScanCanvas
from alstudio.gui.viewer.overlay import OverlayText, compose_overlay, format_value
from alstudio.gui.viewer.presets_menu import build_preset_menu
from alstudio.gui.viewer.transform import ZOOM_STEP, ViewTransform

#: Right-drag: this many logical pixels sideways multiply the width by e; vertically, this
#: many pixels move the centre by one width (a drag over a typical viewer spans ~2 widths).
WIDTH_DRAG_PIXELS = 150.0
CENTRE_DRAG_PIXELS = 300.0
#: DICOM's linear VOI function needs width >= 1; narrower is a threshold.
MIN_WIDTH = 1.0


class ScanViewer(QWidget):
    """Shows one :class:`ScanImage`; see the module docstring for mouse and keys.

    ``windowChanged(centre, width)``, ``sliceChanged(index, count)`` (index from 0),
    ``zoomChanged(zoom)`` (1.0 = 1:1) and ``imageChanged()`` report what the user did.
    """

    windowChanged = Signal(float, float)
    sliceChanged = Signal(int, int)
    zoomChanged = Signal(float)
    invertChanged = Signal(bool)
    imageChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: ScanImage | None = None
        self._extra: dict[str, object] = {}
        self._preset: str | None = None
        self._computed: dict[str, tuple[float, float]] = {}
        self._drag_start = (0.0, 1.0)
        self._readout: str | None = None
        self._hover: tuple[float, float] | None = None  # image point under the cursor
        self._last_zoom = 0.0

        self.canvas = ScanCanvas(self)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrows belong to the viewer
        self.slider.setToolTip("Slice (wheel, PageUp/PageDown)")
        self.position_label = QLabel()
        self.position_label.setMinimumWidth(84)
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignRight
                                         | Qt.AlignmentFlag.AlignVCenter)
        self._bar = QWidget(self)
        self._bar.setObjectName("scanViewerBar")
        self._bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._bar.setStyleSheet(colour.BAR_STYLE)
        bar = QHBoxLayout(self._bar)
        bar.setContentsMargins(10, 2, 10, 4)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.position_label)
        self._bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self._bar)

        self.setFocusProxy(self.canvas)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), colour.BACKGROUND)
        self.setPalette(palette)

        self.slider.valueChanged.connect(self.set_slice)
        self.canvas.windowDragStarted.connect(self._on_drag_start)
        self.canvas.windowDragged.connect(self._on_drag)
        self.canvas.wheelTurned.connect(self._on_wheel)
        self.canvas.hoverMoved.connect(self._on_hover)
        self.canvas.viewChanged.connect(self._on_view_changed)
        self.canvas.menuRequested.connect(self._show_menu)

    # -- image ------------------------------------------------------------------------------

    def set_image(self, image: ScanImage | None,
                  overlay: dict[str, object] | None = None) -> None:
        """Show ``image`` (fitted, central slice, its default window); None clears.

        ``overlay`` adds caller text (item id, split, rank, score...): only keys in
        :data:`alstudio.gui.viewer.overlay.ALLOWED_KEYS` are ever shown.
        """
        self._image = image
        self._extra = dict(overlay or {})
        self._computed = {}
        self._readout = None
        self._hover = None
        renderer = self.canvas.renderer
        renderer.set_image(image)
        if image is None:
            self._bar.hide()
            self._compose_overlay()
            self.canvas.update()
            self.imageChanged.emit()
            return
        centre, width = image.window
        renderer.centre, renderer.width = float(centre), max(float(width), MIN_WIDTH)
        self._drag_start = (renderer.centre, renderer.width)  # a drag across the switch
        self._preset = DEFAULT
        count = self.slice_count()
        renderer.slice_index = count // 2
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(count - 1, 0))
        self.slider.setValue(renderer.slice_index)
        self.slider.blockSignals(False)
        self._bar.setVisible(count > 1)
        spacing = image.spacing
        aspect = (ViewTransform.aspect_from_spacing(spacing[-2], spacing[-1])
                  if spacing and len(spacing) >= 2 else 1.0)
        self.canvas.set_aspect(aspect)
        self.canvas.fit()  # also refreshes the overlay through viewChanged
        self._update_position()
        self.imageChanged.emit()
        self.windowChanged.emit(renderer.centre, renderer.width)
        self.sliceChanged.emit(renderer.slice_index, count)

    def clear(self) -> None:
        """Back to the calm "No scan" state."""
        self.set_image(None)

    def image(self) -> ScanImage | None:
        return self._image

    def set_overlay(self, overlay: dict[str, object] | None) -> None:
        """Replace the caller's overlay text (whitelisted keys only) without touching the view."""
        self._extra = dict(overlay or {})
        self._refresh_overlay()

    def set_overlay_visible(self, visible: bool) -> None:
        self.canvas.overlay_visible = visible
        self.canvas.update()

    def overlay_visible(self) -> bool:
        return self.canvas.overlay_visible

    def overlay_text(self) -> str:
        """Everything the overlay currently shows, as one string."""
        return self.canvas.overlay.text()

    # -- window / level ---------------------------------------------------------------------

    def window(self) -> tuple[float, float]:  # type: ignore[override]  # not QWidget.window()
        """Current ``(centre, width)`` in modality units."""
        return (self.canvas.renderer.centre, self.canvas.renderer.width)

    def set_window(self, centre: float, width: float) -> None:
        self._set_window(centre, width, preset=None)

    def _set_window(self, centre: float, width: float, preset: str | None) -> None:
        renderer = self.canvas.renderer
        centre, width = float(centre), max(float(width), MIN_WIDTH)
        self._preset = preset
        if (centre, width) == (renderer.centre, renderer.width):
            self._refresh_overlay()
            return
        renderer.centre, renderer.width = centre, width
        self._refresh_overlay()
        self.windowChanged.emit(centre, width)

    def reset_window(self) -> None:
        """Back to the window stored in the file (or the reader's default)."""
        if self._image is not None:
            self._set_window(*self._image.window, preset=DEFAULT)

    def preset_names(self) -> list[str]:
        """Canonical preset names for the current image (see :mod:`.presets_menu`)."""
        return preset_names(self._image)

    def current_preset(self) -> str | None:
        """The preset the window was last set from, or None once the user adjusted it."""
        return self._preset if self._image is not None else None

    def apply_preset(self, name: str) -> bool:
        """Apply a preset by name or label ("lung", "Auto (percentiles)"); False if unknown."""
        if self._image is None:
            return False
        canonical = resolve_name(self._image, name)
        value = preset_value(self._image, canonical, self._computed) if canonical else None
        if value is None:
            return False
        self._set_window(value[0], value[1], preset=canonical)
        return True

    def invert(self) -> bool:
        return self.canvas.renderer.invert

    def set_invert(self, invert: bool) -> None:
        if bool(invert) == self.canvas.renderer.invert:
            return
        self.canvas.renderer.invert = bool(invert)
        self._refresh_overlay()
        self.invertChanged.emit(bool(invert))

    def _on_drag_start(self) -> None:
        self._drag_start = self.window()

    def _on_drag(self, dx: float, dy: float) -> None:
        if self._image is None:
            return
        centre, width = self._drag_start
        self.set_window(centre + dy * width / CENTRE_DRAG_PIXELS,
                        width * math.exp(dx / WIDTH_DRAG_PIXELS))

    # -- slices -----------------------------------------------------------------------------

    def slice_count(self) -> int:
        """Slices (or frames) in the image; 1 for a 2D image, 0 when empty."""
        if self._image is None:
            return 0
        return int(self._image.array.shape[0]) if self._image.is_volume else 1

    def slice_index(self) -> int:
        return self.canvas.renderer.slice_index

    def set_slice(self, index: int) -> None:
        """Go to slice ``index`` (from 0), clamped to the volume."""
        count = self.slice_count()
        if count <= 1:
            return
        index = min(max(int(index), 0), count - 1)
        if index == self.canvas.renderer.slice_index:
            return
        self.canvas.renderer.slice_index = index
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self._update_position()
        self.sliceChanged.emit(index, count)

    def step_slice(self, delta: int) -> None:
        self.set_slice(self.slice_index() + delta)

    def _update_position(self) -> None:
        count = self.slice_count()
        self.position_label.setText(f"slice {self.slice_index() + 1}/{count}" if count > 1
                                    else "")
        self._readout = self._read_value()  # same cursor, new slice: new value
        self._refresh_overlay()

    # -- zoom -------------------------------------------------------------------------------

    def zoom(self) -> float:
        """Device pixels per scan pixel: 1.0 is 1:1."""
        return self.canvas.view.zoom

    def set_zoom(self, zoom: float) -> None:
        self.canvas.set_zoom(zoom)

    def fit(self) -> None:
        self.canvas.fit()

    def one_to_one(self) -> None:
        self.canvas.set_zoom(1.0)

    def zoom_in(self) -> None:
        self.canvas.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.canvas.zoom_by(1.0 / ZOOM_STEP)

    def _on_view_changed(self) -> None:
        self._refresh_overlay()
        zoom = self.zoom()
        if zoom != self._last_zoom:
            self._last_zoom = zoom
            self.zoomChanged.emit(zoom)

    def _on_wheel(self, steps: int, ctrl: bool, x: float, y: float) -> None:
        if self._image is None:
            return
        if ctrl or self.slice_count() <= 1:
            self.canvas.zoom_by(ZOOM_STEP ** -steps, QPointF(x, y))
        else:
            self.step_slice(steps)

    # -- overlay ----------------------------------------------------------------------------

    def _on_hover(self, point: tuple[float, float] | None) -> None:
        self._hover = point
        text = self._read_value()
        if text != self._readout:
            self._readout = text
            self._refresh_overlay()

    def _read_value(self) -> str | None:
        """The cursor readout: pixel position and value in modality units (HU for CT)."""
        if self._hover is None or self._image is None:
            return None
        col, row = int(self._hover[0]), int(self._hover[1])
        value = self.canvas.renderer.value_at(col, row)
        return None if value is None else f"x {col}  y {row}  value {format_value(value)}"

    def _compose_overlay(self) -> None:
        if self._image is None:
            self.canvas.overlay = OverlayText()
            return
        preset = self._preset if self._preset != DEFAULT else None
        self.canvas.overlay = compose_overlay(
            self._image, slice_index=self.slice_index(), slice_count=self.slice_count(),
            zoom=self.zoom(), window=self.window(),
            preset=preset_label(preset) if preset else None, inverted=self.invert(),
            readout=self._readout, extra=self._extra)

    def _refresh_overlay(self) -> None:
        self._compose_overlay()
        self.canvas.update()

    def _show_menu(self, global_pos: QPoint) -> None:
        if self._image is None:
            return
        menu = build_preset_menu(self, self)
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(global_pos)

    # -- keys -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Handle the viewer's keys; anything else (digits!) goes on to the window."""
        if self._image is None or not self._handle_key(event):
            event.ignore()
            super().keyPressEvent(event)
            return
        event.accept()

    def _handle_key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if mods & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier):
            return False
        keys = Qt.Key
        actions: dict[int, Callable[[], object]]
        if ctrl:
            actions = {keys.Key_0: self.fit, keys.Key_1: self.one_to_one}
        else:
            actions = {
                keys.Key_PageDown: lambda: self.step_slice(1),
                keys.Key_Down: lambda: self.step_slice(1),
                keys.Key_PageUp: lambda: self.step_slice(-1),
                keys.Key_Up: lambda: self.step_slice(-1),
                keys.Key_Home: lambda: self.set_slice(0),
                keys.Key_End: lambda: self.set_slice(self.slice_count() - 1),
                keys.Key_Plus: self.zoom_in,
                keys.Key_Equal: self.zoom_in,
                keys.Key_Minus: self.zoom_out,
                keys.Key_F: self.fit,
                keys.Key_R: self.reset_window,
                keys.Key_I: lambda: self.set_invert(not self.invert()),
                keys.Key_O: lambda: self.set_overlay_visible(not self.overlay_visible()),
            }
        action = actions.get(key)
        if action is None:
            return False
        action()
        return True
