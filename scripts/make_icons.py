"""Render the app icon's SVG into the raster formats installers need (PNG, ICO, ICNS).

Run after changing resources/icons/alstudio.svg:  python scripts/make_icons.py
Qt's SVG renderer draws each size from the vector source (no up-scaling); Pillow writes the
Windows .ico (several sizes in one file) and the macOS .icns.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)


def render(svg: Path, size: int) -> Image.Image:
    """One square RGBA rendering of the SVG at ``size`` pixels."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(data.data()))).convert("RGBA")


def main() -> int:
    """Write alstudio.png (256 px), alstudio.ico and alstudio.icns beside the SVG."""
    _app = QGuiApplication(sys.argv[:1])
    images = {size: render(ICONS / "alstudio.svg", size) for size in SIZES}
    images[256].save(ICONS / "alstudio.png")
    images[256].save(ICONS / "alstudio.ico",
                     sizes=[(s, s) for s in SIZES if s <= 256],
                     append_images=[images[s] for s in SIZES if s <= 256])
    images[1024].save(ICONS / "alstudio.icns",
                      append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)])
    for name in ("alstudio.png", "alstudio.ico", "alstudio.icns"):
        print(f"{ICONS / name}: {(ICONS / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
