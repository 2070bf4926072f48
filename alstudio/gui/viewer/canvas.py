"""The drawing surface: paints the windowed frame at the current zoom/pan, plus the overlay.

It owns only the view geometry (zoom and pan, which are purely about looking) and turns raw
mouse input into intentions (``windowDragged``, ``wheelTurned``, ``hoverMoved``) that
:class:`~alstudio.gui.viewer.viewer.ScanViewer` acts on, so what a drag or a wheel notch
*means* is decided in one place.

Scaling, chosen for reading rather than for looks:

* zoom below 50 %: pixels are first averaged in blocks (area averaging, in modality units,
  cached per slice and zoom level), so a large radiograph does not alias, and the rest of the
  way is bilinear;
* 50 % up to 400 %: bilinear, so a fitted 384-pixel MR does not look jagged;
* 400 % and beyond: nearest neighbour, so the reader who zooms in sees the true pixels.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from alstudio.gui.viewer import colour
from alstudio.gui.viewer.frame import FrameRenderer
from alstudio.gui.viewer.overlay import OverlayText, paint_overlay
from alstudio.gui.viewer.transform import ViewTransform

#: From this zoom (device pixels per scan pixel) on, pixels are drawn as crisp squares.
NEAREST_FROM_ZOOM = 4.0
#: Mouse travel (logical pixels) below which a right press-release counts as a click.
CLICK_SLOP = 3.0
_NOTCH = 120  # angleDelta units per wheel notch


class ScanCanvas(QWidget):
    """Paints one frame of a :class:`FrameRenderer`; pans and zooms; reports mouse intent."""

    #: Right-button drag, total travel since the press (logical px): window/level.
    windowDragStarted = Signal()
    windowDragged = Signal(float, float)
    #: Whole wheel notches (positive = towards the user / "down"), ctrl held, widget x, y.
    wheelTurned = Signal(int, bool, float, float)
    #: Continuous image coordinates under the cursor, or None when it left the image.
    hoverMoved = Signal(object)
    #: Zoom or pan changed (the overlay shows the zoom).
    viewChanged = Signal()
    #: A right click without a drag, at this global position (presets menu).
    menuRequested = Signal(QPoint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = FrameRenderer()
        self.view = ViewTransform()
        self.overlay = OverlayText()
        self.overlay_visible = True
        self.paint_count = 0  # benchmarks and tests wait on this
        self._drag_button: Qt.MouseButton | None = None
        self._press_pos = QPointF()
        self._last_pos = QPointF()
        self._dragged = False
        self._wheel_rest = 0
        self._hover_pos: QPointF | None = None  # last cursor position inside the widget
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(64, 64)

    # -- geometry ---------------------------------------------------------------------------

    def _sync_dpr(self, painter: QPainter) -> None:
        """Take the ratio of what is painted on: the screen's, or a 2x image's in render()."""
        engine = painter.paintEngine()
        device = engine.paintDevice() if engine is not None else None
        dpr = float(device.devicePixelRatioF() if device is not None
                    else self.devicePixelRatioF()) or 1.0
        if dpr != self.view.dpr:
            self.view.dpr = dpr
            if self.view.fitted:
                self.fit()

    def fit(self) -> None:
        """Show the whole image, centred, as large as the widget allows."""
        self.view.dpr = float(self.devicePixelRatioF()) or 1.0
        cols, rows = self.renderer.size
        self.view.fit(cols, rows, self.width(), self.height())
        self._view_changed()

    def set_zoom(self, zoom: float, at: QPointF | None = None) -> None:
        """Zoom (1.0 = 1:1 device pixels) about ``at`` (default: the widget centre)."""
        at = at if at is not None else QPointF(self.width() / 2.0, self.height() / 2.0)
        self.view.set_zoom_about(zoom, at.x(), at.y())
        self._view_changed()

    def zoom_by(self, factor: float, at: QPointF | None = None) -> None:
        self.set_zoom(self.view.zoom * factor, at)

    def set_aspect(self, aspect: float) -> None:
        self.view.aspect = aspect

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self.view.fitted:
            self.fit()
        else:  # keep what was in the middle in the middle
            old = event.oldSize()
            if old.isValid():
                self.view.pan((self.width() - old.width()) / 2.0,
                              (self.height() - old.height()) / 2.0)
        super().resizeEvent(event)

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._sync_dpr(painter)
            painter.fillRect(self.rect(), colour.BACKGROUND)
            if self.renderer.image is None:
                painter.setFont(colour.placeholder_font(self.font()))
                painter.setPen(colour.PLACEHOLDER_TEXT)
                painter.drawText(QRectF(self.rect()), int(Qt.AlignmentFlag.AlignCenter),
                                 "No scan")
            else:
                self._paint_image(painter)
                if self.overlay_visible:
                    painter.setFont(colour.overlay_font(self.font()))
                    paint_overlay(painter, QRectF(self.rect()), self.overlay)
        finally:
            painter.end()
        self.paint_count += 1

    def _paint_image(self, painter: QPainter) -> None:
        view, dpr = self.view, self.view.dpr
        cols, rows = self.renderer.size
        visible = view.visible_pixels(cols, rows, self.width(), self.height())
        if visible is None:
            return
        # zoomed out 2x or more: draw from block-averaged pixels (see FrameRenderer)
        reduce = max(1, int(1.0 / max(view.zoom, view.zoom * view.aspect, 1e-6)))
        frame = self.renderer.frame(reduce)
        if frame is None:
            return
        x0, y0, x1, y1 = visible
        x0, y0 = x0 // reduce, y0 // reduce
        x1 = min(-(-x1 // reduce), frame.width())
        y1 = min(-(-y1 // reduce), frame.height())
        if x1 <= x0 or y1 <= y0:
            return
        left, top = view.to_widget(x0 * reduce, y0 * reduce)
        right, bottom = view.to_widget(x1 * reduce, y1 * reduce)
        smooth = view.zoom < NEAREST_FROM_ZOOM
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        if not smooth:  # snap to device pixels so every scan pixel is the same size
            left, top = round(left * dpr) / dpr, round(top * dpr) / dpr
            right, bottom = round(right * dpr) / dpr, round(bottom * dpr) / dpr
        painter.drawImage(QRectF(left, top, right - left, bottom - top), frame,
                          QRectF(x0, y0, x1 - x0, y1 - y0))

    # -- mouse ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        if self._drag_button is not None or button not in (
                Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton,
                Qt.MouseButton.RightButton):
            super().mousePressEvent(event)
            return
        self._drag_button = button
        self._press_pos = self._last_pos = event.position()
        self._dragged = False
        if button == Qt.MouseButton.RightButton:
            self.windowDragStarted.emit()
        else:
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        self._report_hover(pos)
        if self._drag_button is None:
            return
        total = pos - self._press_pos
        if not self._dragged and math.hypot(total.x(), total.y()) >= CLICK_SLOP:
            self._dragged = True
        if self._drag_button == Qt.MouseButton.RightButton:
            if self._dragged:
                self.windowDragged.emit(total.x(), total.y())
        else:
            step = pos - self._last_pos
            self.view.pan(step.x(), step.y())
            self._view_changed()
        self._last_pos = pos
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != self._drag_button:
            super().mouseReleaseEvent(event)
            return
        was_right = self._drag_button == Qt.MouseButton.RightButton
        if was_right and not self._dragged:
            self.menuRequested.emit(event.globalPosition().toPoint())
        self._drag_button = None
        self.setCursor(Qt.CursorShape.CrossCursor)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.fit()
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover_pos = None
        self.hoverMoved.emit(None)
        super().leaveEvent(event)

    def _view_changed(self) -> None:
        """Repaint, tell the overlay, and re-read the value under a cursor that stayed put."""
        self.viewChanged.emit()
        if self._hover_pos is not None:
            self._report_hover(self._hover_pos)
        self.update()

    def _report_hover(self, pos: QPointF) -> None:
        self._hover_pos = QPointF(pos)
        if self.renderer.image is None:
            return
        ix, iy = self.view.to_image(pos.x(), pos.y())
        cols, rows = self.renderer.size
        self.hoverMoved.emit((ix, iy) if 0 <= ix < cols and 0 <= iy < rows else None)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Whole notches only: touchpads send many small deltas that add up to one."""
        self._wheel_rest += event.angleDelta().y()
        notches = int(self._wheel_rest / _NOTCH)
        if notches:
            self._wheel_rest -= notches * _NOTCH
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            pos = event.position()
            self.wheelTurned.emit(-notches, ctrl, pos.x(), pos.y())
        event.accept()
