"""From float32 scan values to the 8-bit QImage on screen, computed once per change.

The scan stays at native bit depth (float32 in modality units); only the slice on screen is
windowed to 8 bits, and only when the slice, window or inversion changes. Everything that
repaints without changing those (a pan, a cursor readout, an overlay update) reuses the
cached frame, and the viewer asks for the frame lazily in ``paintEvent`` so a burst of window
changes from one mouse drag costs one windowing per painted frame, not one per event.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from alstudio.datasets.records import ScanImage
from alstudio.datasets.windowing import apply_window


def plane_of(image: ScanImage, index: int) -> np.ndarray:
    """The 2D plane (grey ``(rows, cols)`` or colour ``(rows, cols, 3)``) at slice ``index``."""
    return image.array[index] if image.is_volume else image.array


def qimage_from_uint8(pixels: np.ndarray) -> QImage:
    """Wrap a uint8 grey or RGB array as a QImage without copying.

    The QImage borrows the array's memory, so the caller must keep the array alive as long
    as the QImage (:class:`FrameRenderer` stores both together).
    """
    pixels = np.ascontiguousarray(pixels)
    rows, cols = pixels.shape[:2]
    rgb = pixels.ndim == 3
    fmt = QImage.Format.Format_RGB888 if rgb else QImage.Format.Format_Grayscale8
    return QImage(pixels.data, cols, rows, pixels.strides[0], fmt)


class FrameRenderer:
    """Windowed 8-bit frames of one :class:`ScanImage`, cached by what they depend on.

    Two caches: the full-resolution frame (key: slice, window, inversion) and, for zoomed-out
    display, an area-averaged down-scaled copy at the exact device size (key: frame key plus
    size). Qt's bilinear sampling would alias a 2048 radiograph shown at 30 %; a proper
    down-scale does not, and is paid once per zoom level rather than per paint.
    """

    def __init__(self) -> None:
        self.image: ScanImage | None = None
        self.slice_index = 0
        self.centre = 0.0
        self.width = 1.0
        self.invert = False
        self._key: tuple | None = None
        self._pixels: np.ndarray | None = None
        self._frame: QImage | None = None
        self._scaled_key: tuple | None = None
        self._scaled: QImage | None = None

    def set_image(self, image: ScanImage | None) -> None:
        self.image = image
        self._key = None
        self._pixels = self._frame = None
        self._scaled_key = self._scaled = None

    @property
    def size(self) -> tuple[int, int]:
        """``(columns, rows)`` of one plane, ``(0, 0)`` when empty."""
        if self.image is None:
            return (0, 0)
        plane = plane_of(self.image, 0)
        return (int(plane.shape[1]), int(plane.shape[0]))

    def _current_key(self) -> tuple:
        return (id(self.image), self.slice_index, self.centre, self.width, self.invert)

    def frame(self) -> QImage | None:
        """The full-resolution 8-bit frame for the current state (re-windowed if stale)."""
        if self.image is None:
            return None
        key = self._current_key()
        if key != self._key or self._frame is None:
            plane = plane_of(self.image, self.slice_index)
            with np.errstate(invalid="ignore"):  # NaN pixels (rare in NIfTI) map to black
                pixels = apply_window(plane, self.centre, self.width, self.invert)
            self._pixels = np.ascontiguousarray(pixels)
            self._frame = qimage_from_uint8(self._pixels)
            self._key = key
        return self._frame

    def scaled(self, device_w: int, device_h: int) -> QImage | None:
        """The frame area-averaged down to ``device_w x device_h`` (for zoom < 100 %)."""
        frame = self.frame()
        if frame is None or device_w < 1 or device_h < 1:
            return None
        key = (self._key, device_w, device_h)
        if key != self._scaled_key or self._scaled is None:
            self._scaled = frame.scaled(device_w, device_h,
                                        Qt.AspectRatioMode.IgnoreAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation)
            self._scaled_key = key
        return self._scaled

    def value_at(self, col: int, row: int) -> float | tuple[float, ...] | None:
        """The scan value (modality units) at a pixel of the current slice, or None outside."""
        if self.image is None:
            return None
        plane = plane_of(self.image, self.slice_index)
        if not (0 <= row < plane.shape[0] and 0 <= col < plane.shape[1]):
            return None
        value = plane[row, col]
        if np.ndim(value):
            return tuple(float(v) for v in value)
        return float(value)
