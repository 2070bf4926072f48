"""Where the image sits in the widget: scale, offset and pixel aspect, as plain numbers.

Kept free of Qt so the arithmetic that decides what the radiologist sees (zoom about the
cursor, fit, 1:1) is easy to reason about and to test. Coordinates are logical widget pixels;
"zoom" is measured in *device* pixels, so 100 % means one scan pixel per physical screen
pixel on a HiDPI display too, which is what "1:1" means to a radiologist.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Zoom limits (device pixels per image pixel): far enough out to see a whole 4k radiograph in a
#: thumbnail, far enough in to count pixels of a 28x28 demo image.
MIN_ZOOM = 0.01
MAX_ZOOM = 64.0
#: One +/- key press or wheel notch multiplies the zoom by this.
ZOOM_STEP = 1.25
#: Pixel aspects beyond this are header errors, not real scanners: show square pixels instead.
_MAX_ASPECT = 8.0


@dataclass
class ViewTransform:
    """Image-to-widget mapping: ``widget = offset + image * (scale, scale * aspect)``.

    ``aspect`` is row spacing / column spacing, so non-square pixels (some ultrasound and
    radiographs) are shown with their true physical shape. ``fitted`` remembers that the
    user asked to fit, so a resize refits instead of leaving the image off-centre.
    """

    scale: float = 1.0
    offset_x: float = 0.0
    offset_y: float = 0.0
    aspect: float = 1.0
    dpr: float = 1.0
    fitted: bool = True

    @property
    def scale_y(self) -> float:
        return self.scale * self.aspect

    @property
    def zoom(self) -> float:
        """Device pixels per image column: 1.0 is 1:1."""
        return self.scale * self.dpr

    @staticmethod
    def aspect_from_spacing(row_mm: float | None, col_mm: float | None) -> float:
        """Row/column spacing ratio, or 1 when unknown or implausible."""
        if not row_mm or not col_mm or row_mm <= 0 or col_mm <= 0:
            return 1.0
        ratio = row_mm / col_mm
        return ratio if 1.0 / _MAX_ASPECT <= ratio <= _MAX_ASPECT else 1.0

    def fit(self, image_w: int, image_h: int, view_w: float, view_h: float) -> None:
        """Largest scale that shows the whole image, centred."""
        if image_w <= 0 or image_h <= 0 or view_w <= 0 or view_h <= 0:
            return
        scale = min(view_w / image_w, view_h / (image_h * self.aspect))
        self.scale = min(max(scale, MIN_ZOOM / self.dpr), MAX_ZOOM / self.dpr)
        self.offset_x = (view_w - image_w * self.scale) / 2.0
        self.offset_y = (view_h - image_h * self.scale_y) / 2.0
        self.fitted = True

    def set_zoom_about(self, zoom: float, x: float, y: float) -> None:
        """Change the zoom keeping the image point under widget point ``(x, y)`` still."""
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        ix, iy = self.to_image(x, y)
        self.scale = zoom / self.dpr
        self.offset_x = x - ix * self.scale
        self.offset_y = y - iy * self.scale_y
        self.fitted = False

    def zoom_by(self, factor: float, x: float, y: float) -> None:
        """Multiply the zoom by ``factor`` about ``(x, y)``."""
        self.set_zoom_about(self.zoom * factor, x, y)

    def pan(self, dx: float, dy: float) -> None:
        self.offset_x += dx
        self.offset_y += dy
        self.fitted = False

    def to_image(self, x: float, y: float) -> tuple[float, float]:
        """Widget point to continuous image coordinates (pixel ``(i, j)`` spans i..i+1)."""
        return (x - self.offset_x) / self.scale, (y - self.offset_y) / self.scale_y

    def to_widget(self, ix: float, iy: float) -> tuple[float, float]:
        return self.offset_x + ix * self.scale, self.offset_y + iy * self.scale_y

    def visible_pixels(self, image_w: int, image_h: int, view_w: float,
                       view_h: float) -> tuple[int, int, int, int] | None:
        """Whole image pixels that touch the view, as ``(x0, y0, x1, y1)`` (end exclusive).

        Drawing only these keeps a 64x zoom of a 2048 image as cheap as a fitted one.
        """
        x0, y0 = self.to_image(0.0, 0.0)
        x1, y1 = self.to_image(view_w, view_h)
        left, top = max(int(x0 // 1), 0), max(int(y0 // 1), 0)
        right, bottom = min(int(-(-x1 // 1)), image_w), min(int(-(-y1 // 1)), image_h)
        if right <= left or bottom <= top:
            return None
        return left, top, right, bottom
