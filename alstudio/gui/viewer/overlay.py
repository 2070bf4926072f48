"""The corner text over the scan: what the reader needs, and never who the patient is.

The viewer composes the overlay only from values it computed itself (modality, size, spacing,
slice, window, zoom, cursor value, the reader's orientation letters and geometry warnings)
and from the caller's ``extra`` text, which is filtered
through :data:`ALLOWED_KEYS`. Nothing here reads file metadata, so a DICOM header's
PatientName, PatientID, birth date or institution can never reach the screen through the
viewer, even by a caller passing a metadata dict by mistake. File names and paths are not on
the list either: sites do name files after patients.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from alstudio.datasets.orientation import opposite
from alstudio.datasets.records import ScanImage
from alstudio.gui.viewer import colour

logger = logging.getLogger(__name__)

#: Caller keys shown in the top-right corner, in this order; everything else is dropped.
ALLOWED_KEYS: tuple[str, ...] = (
    "item", "split", "round", "rank", "score", "reason", "strategy",
    "label", "prediction", "confidence", "annotator",
)
#: Longest value shown for a caller key; a reason string must not cover the scan.
MAX_VALUE_CHARS = 48
#: Longest geometry warning shown over the scan (the label panel shows it whole).
MAX_WARNING_CHARS = 72
#: Gap between the overlay and the widget edges, logical pixels.
MARGIN = 8.0
#: Offsets of the dark halo drawn under each line: a thin outline plus a drop shadow.
_HALO = ((-0.75, 0.0), (0.75, 0.0), (0.0, -0.75), (0.0, 0.75), (1.0, 1.0))


@dataclass
class OverlayText:
    """Four corners of lines, top to bottom. Bottom corners grow upwards from the edge."""

    top_left: list[str] = field(default_factory=list)
    top_right: list[str] = field(default_factory=list)
    bottom_left: list[str] = field(default_factory=list)
    bottom_right: list[str] = field(default_factory=list)
    #: Orientation letters at the middle of the top, right, bottom and left edges.
    sides: tuple[str, str, str, str] = ("", "", "", "")
    #: Geometry warnings, drawn under the top-left lines in the warning colour.
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [*self.top_left, *self.warnings, *self.top_right, *self.bottom_left,
                *self.bottom_right, *(s for s in self.sides if s)]

    def text(self) -> str:
        """All lines as one string (what tests search for forbidden values)."""
        return "\n".join(self.lines())


def allowed_extra(extra: dict[str, object] | None) -> list[str]:
    """``"key value"`` lines for the whitelisted caller keys, in :data:`ALLOWED_KEYS` order."""
    if not extra:
        return []
    dropped = sorted(k for k in extra if k not in ALLOWED_KEYS)
    if dropped:
        logger.debug("overlay: ignoring keys not on the whitelist: %s", ", ".join(dropped))
    lines = []
    for key in ALLOWED_KEYS:
        if key in extra and extra[key] is not None and str(extra[key]) != "":
            value = " ".join(str(extra[key]).split())
            if len(value) > MAX_VALUE_CHARS:
                value = value[: MAX_VALUE_CHARS - 1] + "…"
            lines.append(f"{key} {value}")
    return lines


def format_size(shape: tuple[int, ...], is_rgb: bool) -> str:
    """Columns × rows (× slices): the order a reader says "512 by 512 by 120"."""
    dims = shape[:-1] if is_rgb else shape
    dims = tuple(reversed(dims[-2:])) + tuple(dims[:-2])
    return "×".join(str(d) for d in dims)


def format_spacing(spacing: tuple[float, ...] | None) -> str | None:
    """Spacing in the same column, row (, slice) order as :func:`format_size`."""
    if not spacing:
        return None
    ordered = tuple(reversed(spacing[-2:])) + tuple(spacing[:-2])
    return "×".join(f"{s:.3g}" for s in ordered) + " mm"


def format_value(value: float | tuple[float, ...]) -> str:
    """A pixel value as a reader expects: integers plainly, others to 4 significant digits."""
    if isinstance(value, tuple):
        return " ".join(f"{name} {v:.0f}" for name, v in zip("RGB", value, strict=False))
    if value != value:  # NaN
        return "NaN"
    if abs(value) < 1e7 and float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.4g}"


def format_number(value: float) -> str:
    """Window centre/width: whole numbers for HU-like ranges, more digits for small ranges."""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.4g}"


def side_letters(axes: tuple[str, str, str]) -> tuple[str, str, str, str]:
    """(top, right, bottom, left) letters from where rows and columns point (radiological:
    an axial slice shows A at the top and L on the right)."""
    _, down, across = axes
    if not down or not across:
        return ("", "", "", "")
    return (opposite(down), across, down, opposite(across))


def warning_lines(warnings: tuple[str, ...]) -> list[str]:
    """Each warning on one line, cut to :data:`MAX_WARNING_CHARS`."""
    out = []
    for text in warnings:
        line = " ".join(text.split())
        if len(line) > MAX_WARNING_CHARS:
            line = line[: MAX_WARNING_CHARS - 1] + "…"
        out.append(line)
    return out


def compose_overlay(image: ScanImage, *, slice_index: int, slice_count: int, zoom: float,
                    window: tuple[float, float], preset: str | None, inverted: bool,
                    readout: str | None, extra: dict[str, object] | None) -> OverlayText:
    """The four corners for the current view; every value is computed, none read from files.

    Top left: what the scan is (modality, size, spacing). Top right: the caller's whitelisted
    context (item, split, rank, score). Bottom left: where we are (slice, zoom, cursor value).
    Bottom right: how it is shown (window, preset, inversion).
    """
    top_left = [image.modality] if image.modality else []
    top_left.append(format_size(tuple(image.array.shape), image.is_rgb))
    spacing = format_spacing(image.spacing)
    if spacing:
        top_left.append(spacing)
    bottom_left = [f"slice {slice_index + 1}/{slice_count}"] if slice_count > 1 else []
    bottom_left.append(f"zoom {zoom * 100:.0f}%")
    if readout:
        bottom_left.append(readout)
    bottom_right = [f"C {format_number(window[0])}  W {format_number(window[1])}"]
    notes = [note for note in (preset, "inverted" if inverted else None) if note]
    if notes:
        bottom_right.append(" · ".join(notes))
    return OverlayText(top_left, allowed_extra(extra), bottom_left, bottom_right,
                       side_letters(image.axes), warning_lines(image.warnings))


def paint_overlay(painter: QPainter, rect: QRectF, text: OverlayText) -> None:
    """Draw the four corners with a dark halo, so grey text reads over bone and noise alike."""
    metrics = QFontMetricsF(painter.font())
    step = metrics.lineSpacing()
    inner = rect.adjusted(MARGIN, MARGIN - 2.0, -MARGIN, -MARGIN + 2.0)

    def draw(lines: list[str], top: bool, left: bool) -> None:
        flags = Qt.AlignmentFlag.AlignLeft if left else Qt.AlignmentFlag.AlignRight
        flags |= Qt.AlignmentFlag.AlignTop
        y = inner.top() if top else inner.bottom() - step * len(lines)
        for line in lines:
            box = QRectF(inner.left(), y, inner.width(), step)
            painter.setPen(colour.OVERLAY_SHADOW)
            for dx, dy in _HALO:
                painter.drawText(box.translated(QPointF(dx, dy)), int(flags), line)
            painter.setPen(colour.OVERLAY_TEXT)
            painter.drawText(box, int(flags), line)
            y += step

    draw(text.top_left, True, True)
    draw(text.top_right, True, False)
    draw(text.bottom_left, False, True)
    draw(text.bottom_right, False, False)
    if text.warnings:
        y = inner.top() + step * len(text.top_left)
        for line in text.warnings:
            _halo_text(painter, QRectF(inner.left(), y, inner.width(), step),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, line,
                       colour.OVERLAY_WARNING)
            y += step
    _paint_sides(painter, inner, step, text.sides)


def _halo_text(painter: QPainter, box: QRectF, flags: Qt.AlignmentFlag, line: str,
               pen: QColor) -> None:
    """One line with the dark halo under it (readable over bone and noise)."""
    painter.setPen(colour.OVERLAY_SHADOW)
    for dx, dy in _HALO:
        painter.drawText(box.translated(QPointF(dx, dy)), int(flags), line)
    painter.setPen(pen)
    painter.drawText(box, int(flags), line)


def _paint_sides(painter: QPainter, inner: QRectF, step: float,
                 sides: tuple[str, str, str, str]) -> None:
    """Orientation letters at the middle of each edge, as clinical viewers place them."""
    top, right, bottom, left = sides
    middle = inner.top() + (inner.height() - step) / 2
    align = Qt.AlignmentFlag
    boxes = (
        (top, QRectF(inner.left(), inner.top(), inner.width(), step), align.AlignHCenter),
        (bottom, QRectF(inner.left(), inner.bottom() - step, inner.width(), step),
         align.AlignHCenter),
        (left, QRectF(inner.left(), middle, inner.width(), step), align.AlignLeft),
        (right, QRectF(inner.left(), middle, inner.width(), step), align.AlignRight),
    )
    for letter, box, flags in boxes:
        if letter:
            _halo_text(painter, box, flags | align.AlignTop, letter, colour.OVERLAY_TEXT)
