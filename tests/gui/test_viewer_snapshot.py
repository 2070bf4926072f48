"""Pixel snapshots of the viewer: a fixed image at a fixed size, compared with stored PNGs.

The overlay is hidden because its text depends on the installed fonts; what is compared is
the part that must never drift: windowing, fitting, interpolation and the background.
Regenerate after an intended change with ``ALSTUDIO_UPDATE_SNAPSHOTS=1`` and look at the
new PNGs before committing them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from alstudio.datasets.records import ScanImage
from alstudio.gui.viewer import ScanViewer

SNAPSHOTS = Path(__file__).parent / "snapshots"
SIZE = QSize(240, 180)
#: Tolerances: font-free renders differ across Qt versions only by rounding at edges.
MAX_MEAN_DIFF = 1.0
MAX_FRACTION_OFF = 0.005  # share of pixels allowed to differ by more than 24 grey levels


def phantom() -> ScanImage:
    """A CT-like phantom: air outside, a water disc, a bone ring, a lung-like hole, a ramp."""
    rows, cols = 60, 80
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float32)
    radius = np.hypot(xx - 40, yy - 30)
    array = np.full((rows, cols), -1000.0, np.float32)
    array[radius < 26] = 0.0
    array[(radius >= 22) & (radius < 26)] = 900.0
    array[np.hypot(xx - 32, yy - 26) < 6] = -700.0
    array[40:48, 30:56] = np.linspace(-100.0, 200.0, 26, dtype=np.float32)
    return ScanImage(array=array, spacing=(0.8, 0.8), window=(40.0, 400.0), modality="CT",
                     is_rgb=False)


def render(viewer: ScanViewer) -> np.ndarray:
    image = QImage(SIZE, QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(1.0)
    viewer.canvas.render(image)
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = np.frombuffer(gray.constBits(), np.uint8).reshape(SIZE.height(), gray.bytesPerLine())
    return data[:, : SIZE.width()].copy()


def compare(name: str, actual: np.ndarray, tmp_path: Path) -> None:
    path = SNAPSHOTS / f"{name}.png"
    if os.environ.get("ALSTUDIO_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        QImage(actual.data, actual.shape[1], actual.shape[0], actual.strides[0],
               QImage.Format.Format_Grayscale8).save(str(path))
        return
    if not path.is_file():
        pytest.fail(f"snapshot {path} is missing: run with ALSTUDIO_UPDATE_SNAPSHOTS=1, look at "
                    "the PNG, and commit it")
    stored = QImage(str(path)).convertToFormat(QImage.Format.Format_Grayscale8)
    expected = np.frombuffer(stored.constBits(), np.uint8).reshape(
        stored.height(), stored.bytesPerLine())[:, : stored.width()]
    assert expected.shape == actual.shape
    diff = np.abs(expected.astype(int) - actual.astype(int))
    off = float((diff > 24).mean())
    if diff.mean() > MAX_MEAN_DIFF or off > MAX_FRACTION_OFF:
        out = tmp_path / f"{name}.actual.png"
        QImage(actual.data, actual.shape[1], actual.shape[0], actual.strides[0],
               QImage.Format.Format_Grayscale8).save(str(out))
        pytest.fail(f"{name}: mean diff {diff.mean():.2f}, {off:.2%} of pixels off; "
                    f"actual render saved to {out}")


def _fitted(viewer: ScanViewer) -> None:
    pass


def _lung_inverted(viewer: ScanViewer) -> None:
    viewer.apply_preset("lung")
    viewer.set_invert(True)


def _zoomed_pixels(viewer: ScanViewer) -> None:
    viewer.set_zoom(8.0)  # nearest neighbour: crisp scan pixels


@pytest.mark.parametrize(("name", "action"), [
    ("viewer_fitted", _fitted),
    ("viewer_lung_inverted", _lung_inverted),
    ("viewer_zoom800", _zoomed_pixels),
])
def test_snapshot(name: str, action: Callable[[ScanViewer], None], qtbot,
                  tmp_path: Path) -> None:
    viewer = ScanViewer()
    qtbot.addWidget(viewer)
    viewer.resize(SIZE)
    viewer.show()
    qtbot.waitExposed(viewer)
    viewer.set_image(phantom())
    viewer.set_overlay_visible(False)
    assert viewer.canvas.size() == SIZE  # a 2D image: no slice bar below the canvas
    action(viewer)
    compare(name, render(viewer), tmp_path)
