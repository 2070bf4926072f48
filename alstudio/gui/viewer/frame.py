"""From float32 scan values to the 8-bit QImage on screen, computed once per change.

The scan stays at native bit depth (float32 in modality units); only the slice on screen is
windowed to 8 bits, and only when the slice, window, inversion or reduction level changes.
Everything that repaints without changing those (a pan, a cursor readout, an overlay update)
reuses the cached frame, and the viewer asks for the frame lazily in ``paintEvent``, so a
burst of window changes from one mouse drag costs one windowing per painted frame, not one
per event.
"""

from __future__ import annotations

import numpy as np
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


def block_mean(plane: np.ndarray, factor: int) -> np.ndarray:
    """Average ``factor x factor`` blocks (area averaging), dropping an edge of < factor pixels.

    ``factor**2`` strided additions: one pass over the data in total, and much faster than a
    reshaped ``mean`` over non-contiguous axes.
    """
    rows, cols = plane.shape[0] // factor * factor, plane.shape[1] // factor * factor
    out = np.zeros((rows // factor, cols // factor, *plane.shape[2:]), np.float32)
    for i in range(factor):
        for j in range(factor):
            out += plane[i:rows:factor, j:cols:factor]
    out *= 1.0 / (factor * factor)
    return out


class FrameRenderer:
    """Windowed 8-bit frames of one :class:`ScanImage`, cached by what they depend on.

    Zoomed out by 2x or more, the frame is made from a block-averaged copy of the plane
    (``reduce`` pixels square per block, cached per slice), so a 2048 radiograph shown at 35 %
    neither aliases nor pays for windowing four million values on every mouse move of a
    window drag: averaging happens once per slice and zoom level, windowing on the small copy.
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
        self._reduced_key: tuple | None = None
        self._reduced: np.ndarray | None = None

    def set_image(self, image: ScanImage | None) -> None:
        self.image = image
        self._key = self._reduced_key = None
        self._pixels = self._frame = self._reduced = None

    @property
    def size(self) -> tuple[int, int]:
        """``(columns, rows)`` of one plane, ``(0, 0)`` when empty."""
        if self.image is None:
            return (0, 0)
        plane = plane_of(self.image, 0)
        return (int(plane.shape[1]), int(plane.shape[0]))

    def _plane(self, reduce: int) -> np.ndarray:
        """The current slice, every ``reduce``-th pixel (only called with an image set)."""
        assert self.image is not None
        plane = plane_of(self.image, self.slice_index)
        if reduce <= 1:
            return plane
        key = (id(self.image), self.slice_index, reduce)
        if key != self._reduced_key or self._reduced is None:
            self._reduced = block_mean(plane, reduce)
            self._reduced_key = key
        return self._reduced

    def frame(self, reduce: int = 1) -> QImage | None:
        """The 8-bit frame for the current state, from ``reduce``-averaged pixels."""
        if self.image is None:
            return None
        key = (id(self.image), self.slice_index, self.centre, self.width, self.invert, reduce)
        if key != self._key or self._frame is None:
            plane = self._plane(reduce)
            with np.errstate(invalid="ignore"):  # NaN pixels (rare in NIfTI) map to black
                pixels = apply_window(plane, self.centre, self.width, self.invert)
            self._pixels = np.ascontiguousarray(pixels)
            self._frame = qimage_from_uint8(self._pixels)
            self._key = key
        return self._frame

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
