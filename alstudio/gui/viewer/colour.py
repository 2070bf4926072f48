"""The viewer's few colours and its overlay font, in one place.

A reading room is dark and the radiologist's eye adapts to it: the scan must be the brightest
thing on screen. So the background is near black, the overlay text is a muted grey that is
legible over bright bone thanks to a dark shadow, and nothing in the viewer uses saturated
colour that could be mistaken for image content.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

#: Behind and around the image.
BACKGROUND = QColor("#111111")
#: Overlay text: light grey, a little transparent so it never competes with the image.
OVERLAY_TEXT = QColor(200, 200, 200, 225)
#: The halo under the text (drawn several times, so fairly transparent): readable over bone.
OVERLAY_SHADOW = QColor(0, 0, 0, 150)
#: Geometry warnings over the scan (a slice gap, a tilt): a muted amber, the one colour the
#: overlay uses, so a reader's eye finds it without it looking like image content.
OVERLAY_WARNING = QColor(230, 180, 90, 235)
#: The "No scan" placeholder: calm, barely there.
PLACEHOLDER_TEXT = QColor("#6a6a6a")
#: Bottom bar (slice slider and position) text.
BAR_TEXT = QColor("#9a9a9a")

#: Overlay font size in logical pixels; pixel size (not points) keeps it stable across DPI.
OVERLAY_PIXEL_SIZE = 12
PLACEHOLDER_PIXEL_SIZE = 15

#: The bottom bar's style: dark, thin slider groove, no bright chrome.
BAR_STYLE = f"""
QWidget#scanViewerBar {{ background: {BACKGROUND.name()}; }}
QLabel {{ color: {BAR_TEXT.name()}; background: transparent; }}
QSlider::groove:horizontal {{ height: 3px; background: #2a2a2a; border-radius: 1px; }}
QSlider::sub-page:horizontal {{ background: #4a4a4a; border-radius: 1px; }}
QSlider::handle:horizontal {{
    width: 10px; margin: -4px 0; border-radius: 5px; background: #8a8a8a;
}}
QSlider::handle:horizontal:hover {{ background: #b0b0b0; }}
"""


def overlay_font(base: QFont | None = None) -> QFont:
    """The overlay font: the widget's own family at a small, fixed pixel size.

    Tabular (fixed-width) digits would be nicer for numbers that change as the mouse moves,
    but the platform's UI font is the one guaranteed to be installed everywhere.
    """
    font = QFont(base) if base is not None else QFont()
    font.setPixelSize(OVERLAY_PIXEL_SIZE)
    return font


def placeholder_font(base: QFont | None = None) -> QFont:
    """A slightly larger font for the empty-state message."""
    font = QFont(base) if base is not None else QFont()
    font.setPixelSize(PLACEHOLDER_PIXEL_SIZE)
    return font
