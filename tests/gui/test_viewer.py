"""ScanViewer on synthetic images: window/level, presets, zoom, invert, keys, overlay."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from alstudio.datasets.records import ScanImage
from alstudio.gui.viewer import PresetComboBox, ScanViewer, build_preset_menu
from alstudio.gui.viewer.overlay import ALLOWED_KEYS


def ramp_image(slices: int = 1, modality: str | None = "CT") -> ScanImage:
    """A diagonal ramp from -1000 to +1000 (HU-like), optionally stacked into a volume."""
    rows, cols = 64, 96
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float32)
    plane = -1000.0 + 2000.0 * (xx + yy) / (rows + cols - 2)
    if slices > 1:
        array = np.stack([plane + 10.0 * k for k in range(slices)]).astype(np.float32)
        spacing: tuple[float, ...] = (2.5, 0.5, 0.5)
    else:
        array = plane.astype(np.float32)
        spacing = (0.5, 0.5)
    return ScanImage(array=array, spacing=spacing, window=(0.0, 400.0), modality=modality,
                     is_rgb=False, presets={"file window": (100.0, 800.0)})


def grab(widget: QWidget) -> np.ndarray:
    """The widget as rendered, as an (h, w, 3) uint8 array."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    ptr = np.frombuffer(image.constBits(), dtype=np.uint8)
    return ptr.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3).copy()


@pytest.fixture
def viewer(qtbot) -> ScanViewer:
    widget = ScanViewer()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def centre_of(widget: QWidget) -> QPoint:
    return QPoint(widget.width() // 2, widget.height() // 2)


def test_empty_viewer_says_no_scan(viewer: ScanViewer) -> None:
    assert viewer.image() is None
    assert viewer.overlay_text() == ""
    pixels = grab(viewer.canvas)
    assert pixels.max() < 160  # only the calm grey placeholder text on near black
    assert not viewer.apply_preset("lung")


def test_set_image_keeps_float_values_and_fits(viewer: ScanViewer) -> None:
    image = ramp_image()
    viewer.set_image(image)
    assert viewer.image() is image
    assert viewer.window() == (0.0, 400.0)
    assert viewer.slice_count() == 1
    assert not viewer.slider.isVisible()  # no slice bar for a 2D image
    # fitted: the whole 96x64 image fits inside the canvas, touching two edges
    assert viewer.zoom() == pytest.approx(min(viewer.canvas.width() / 96,
                                              viewer.canvas.height() / 64))
    viewer.clear()
    assert viewer.image() is None


def test_right_drag_changes_window_and_pixels(viewer: ScanViewer, qtbot) -> None:
    viewer.set_image(ramp_image())
    before = grab(viewer.canvas)
    start = centre_of(viewer.canvas)
    with qtbot.waitSignal(viewer.windowChanged):
        qtbot.mousePress(viewer.canvas, Qt.MouseButton.RightButton, pos=start)
        qtbot.mouseMove(viewer.canvas, start + QPoint(60, 40))
        qtbot.mouseRelease(viewer.canvas, Qt.MouseButton.RightButton,
                           pos=start + QPoint(60, 40))
    centre, width = viewer.window()
    assert width > 400.0  # dragged right: wider
    assert centre > 0.0  # dragged down: higher centre (darker)
    assert viewer.current_preset() is None
    after = grab(viewer.canvas)
    assert np.abs(after.astype(int) - before.astype(int)).mean() > 1.0


def test_window_drag_step_is_proportional_to_width(viewer: ScanViewer, qtbot) -> None:
    viewer.set_image(ramp_image())
    start = centre_of(viewer.canvas)
    moves = {}
    for width in (10.0, 1000.0):
        viewer.set_window(0.0, width)
        qtbot.mousePress(viewer.canvas, Qt.MouseButton.RightButton, pos=start)
        qtbot.mouseMove(viewer.canvas, start + QPoint(0, 30))
        qtbot.mouseRelease(viewer.canvas, Qt.MouseButton.RightButton, pos=start + QPoint(0, 30))
        moves[width] = viewer.window()[0]
    assert moves[1000.0] == pytest.approx(100 * moves[10.0])


def test_right_click_without_drag_keeps_window(viewer: ScanViewer, qtbot) -> None:
    viewer.set_image(ramp_image())
    qtbot.mouseClick(viewer.canvas, Qt.MouseButton.RightButton, pos=centre_of(viewer.canvas))
    assert viewer.window() == (0.0, 400.0)
    for widget in QApplication.topLevelWidgets():  # the presets menu popped up: close it
        if widget.isVisible() and widget is not viewer:
            widget.close()


def test_presets_and_reset(viewer: ScanViewer, qtbot) -> None:
    viewer.set_image(ramp_image())
    names = viewer.preset_names()
    assert names[0] == "file window"  # the file's own first
    assert {"lung", "bone", "auto", "full range"} <= set(names)
    with qtbot.waitSignal(viewer.windowChanged) as blocker:
        assert viewer.apply_preset("Lung")
    assert blocker.args == [-600.0, 1500.0]
    assert viewer.current_preset() == "lung"
    assert "Lung" in viewer.overlay_text()
    assert viewer.apply_preset("Full range")
    assert viewer.window() == pytest.approx((0.0, 2000.0), abs=1.0)
    assert viewer.apply_preset("Auto (percentiles)")
    assert viewer.window()[1] < 2000.0
    assert not viewer.apply_preset("no such window")
    viewer.canvas.setFocus()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_R)
    assert viewer.window() == (0.0, 400.0)


def test_preset_widgets_follow_the_viewer(viewer: ScanViewer, qtbot) -> None:
    combo = PresetComboBox(viewer)
    qtbot.addWidget(combo)
    assert not combo.isEnabled()
    viewer.set_image(ramp_image())
    assert combo.count() == len(viewer.preset_names()) + 1
    assert combo.currentText() == "File default"
    combo.setCurrentIndex(combo.findText("Bone"))
    combo.activated.emit(combo.currentIndex())
    assert viewer.current_preset() == "bone"
    viewer.set_window(3.0, 50.0)
    assert combo.currentIndex() == -1  # "Custom"
    menu = build_preset_menu(viewer)
    labels = [a.text() for a in menu.actions()]
    assert "Auto (percentiles)" in labels and "Full range" in labels
    next(a for a in menu.actions() if a.text() == "Lung").trigger()
    assert viewer.window() == (-600.0, 1500.0)
    menu.deleteLater()


def test_invert_flips_pixels(viewer: ScanViewer, qtbot) -> None:
    viewer.set_image(ramp_image())
    viewer.set_overlay_visible(False)
    before = grab(viewer.canvas)
    viewer.canvas.setFocus()
    with qtbot.waitSignal(viewer.invertChanged):
        qtbot.keyClick(viewer.canvas, Qt.Key.Key_I)
    assert viewer.invert()
    after = grab(viewer.canvas)
    centre = (slice(100, 200), slice(150, 250))
    assert np.abs(after[centre].astype(int) + before[centre].astype(int) - 255).max() <= 2


def test_zoom_keys_fit_and_one_to_one(viewer: ScanViewer, qtbot) -> None:
    viewer.set_image(ramp_image())
    fitted = viewer.zoom()
    viewer.canvas.setFocus()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Plus)
    assert viewer.zoom() == pytest.approx(fitted * 1.25)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Minus)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Minus)
    assert viewer.zoom() < fitted
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert viewer.zoom() == pytest.approx(1.0)
    assert "zoom 100%" in viewer.overlay_text()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_F)
    assert viewer.zoom() == pytest.approx(fitted)


def wheel(widget: QWidget, notches: int, pos: QPointF,
          modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Send a real wheel event (QTest has none); positive notches scroll towards the user."""
    event = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, -120 * notches),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_wheel_zooms_about_the_cursor_on_a_2d_image(viewer: ScanViewer) -> None:
    viewer.set_image(ramp_image())
    pos = QPointF(120.0, 90.0)
    under = viewer.canvas.view.to_image(pos.x(), pos.y())
    fitted = viewer.zoom()
    wheel(viewer.canvas, -2, pos)  # away from the user: zoom in
    assert viewer.zoom() == pytest.approx(fitted * 1.25**2)
    assert viewer.canvas.view.to_image(pos.x(), pos.y()) == pytest.approx(under)


def test_pan_with_left_drag_then_double_click_fits(viewer: ScanViewer, qtbot) -> None:
    viewer.set_image(ramp_image())
    view = viewer.canvas.view
    x0, y0 = view.offset_x, view.offset_y
    start = centre_of(viewer.canvas)
    qtbot.mousePress(viewer.canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewer.canvas, start + QPoint(25, -10))
    qtbot.mouseRelease(viewer.canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(25, -10))
    assert (view.offset_x - x0, view.offset_y - y0) == pytest.approx((25.0, -10.0))
    assert viewer.window() == (0.0, 400.0)  # panning is not windowing
    qtbot.mouseDClick(viewer.canvas, Qt.MouseButton.LeftButton, pos=start)
    assert (view.offset_x, view.offset_y) == pytest.approx((x0, y0))


def test_digit_keys_go_on_to_the_window(qtbot) -> None:
    """Class shortcuts are digits handled by the window: the viewer must pass them on."""

    class Window(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.keys: list[int] = []

        def keyPressEvent(self, event) -> None:
            self.keys.append(event.key())

    window = Window()
    qtbot.addWidget(window)
    viewer = ScanViewer(window)
    viewer.set_image(ramp_image(slices=3))
    window.show()
    qtbot.waitExposed(window)
    viewer.canvas.setFocus()
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_9):
        qtbot.keyClick(viewer.canvas, key)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_PageDown)  # the viewer's own key
    assert window.keys == [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_9]
    assert viewer.slice_index() == 2


def test_cursor_readout_shows_value_in_modality_units(viewer: ScanViewer, qtbot) -> None:
    image = ramp_image()
    viewer.set_image(image)
    x, y = viewer.canvas.view.to_widget(10.5, 20.5)
    qtbot.mouseMove(viewer.canvas, QPoint(round(x), round(y)))
    expected = image.array[20, 10]
    assert f"x 10  y 20  value {expected:.4g}" in viewer.overlay_text()
    viewer.canvas.hoverMoved.emit(None)
    assert "value" not in viewer.overlay_text()


def test_cursor_readout_follows_slice_and_zoom_under_a_still_cursor(viewer: ScanViewer,
                                                                    qtbot) -> None:
    image = ramp_image(slices=3)  # slice k adds 10 * k
    viewer.set_image(image)
    x, y = viewer.canvas.view.to_widget(10.5, 20.5)
    qtbot.mouseMove(viewer.canvas, QPoint(round(x), round(y)))
    assert f"value {image.array[1, 20, 10]:.4g}" in viewer.overlay_text()
    viewer.set_slice(2)
    assert f"value {image.array[2, 20, 10]:.4g}" in viewer.overlay_text()
    viewer.set_zoom(viewer.zoom() * 2)  # about the centre: another pixel is under the cursor
    assert "x 10  y 20 " not in viewer.overlay_text()


def test_overlay_shows_only_whitelisted_caller_keys(viewer: ScanViewer) -> None:
    viewer.set_image(ramp_image(slices=4), overlay={
        "item": 1234, "split": "pool", "rank": 3, "score": "0.912",
        "PatientName": "DOE^JANE", "patient_id": "P-0042", "path": "/data/DOE_JANE/1.dcm",
    })
    text = viewer.overlay_text()
    for expected in ("CT", "96×64×4", "0.5×0.5×2.5 mm", "slice 3/4", "C 0  W 400",
                     "item 1234", "split pool", "rank 3", "score 0.912"):
        assert expected in text
    for forbidden in ("DOE", "JANE", "P-0042", "/data"):
        assert forbidden not in text
    assert "PatientName" not in ALLOWED_KEYS
    viewer.set_overlay({"item": 7})
    assert "item 7" in viewer.overlay_text() and "rank" not in viewer.overlay_text()


def test_rgb_image_is_shown_in_colour(viewer: ScanViewer) -> None:
    array = np.zeros((32, 32, 3), np.float32)
    array[..., 0] = 255.0
    image = ScanImage(array=array, spacing=None, window=(127.5, 256.0), modality="XC",
                      is_rgb=True)
    viewer.set_image(image)
    viewer.set_overlay_visible(False)
    pixels = grab(viewer.canvas)[150, 200]
    assert pixels[0] > 200 and pixels[1] < 30 and pixels[2] < 30
    assert "32×32" in viewer.overlay_text()


def test_hidpi_render_is_at_device_resolution(viewer: ScanViewer) -> None:
    """On a 2x screen the frame is drawn with device pixels, not upscaled logical ones."""
    yy, xx = np.mgrid[0:400, 0:400]
    checker = (((xx + yy) % 2) * 1000.0).astype(np.float32)  # 1-pixel checkerboard
    viewer.set_image(ScanImage(checker, None, (500.0, 1000.0), "CT", False))
    viewer.set_overlay_visible(False)
    viewer.canvas.view.dpr = 2.0
    viewer.canvas.set_zoom(1.0)
    target = QImage(viewer.canvas.size() * 2, QImage.Format.Format_RGB32)
    target.setDevicePixelRatio(2.0)
    viewer.canvas.render(target)
    row = np.array([red_at(target, x, 300) for x in range(300, 340)])
    assert set(np.unique(row)) <= {0, 255}  # every device pixel is one scan pixel
    assert (row[:-1] != row[1:]).all()


def red_at(image: QImage, x: int, y: int) -> int:
    return image.pixelColor(x, y).red()


def test_installed_pyside_does_not_leak_references_to_none(viewer: ScanViewer) -> None:
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call (and to True
    on every emit) until the interpreter aborts; pyproject excludes that release. This fails
    clearly, instead of crashing later, if such a build is installed again."""
    import sys

    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QColor, QPainter

    target = QImage(8, 8, QImage.Format.Format_RGB32)
    painter = QPainter(target)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    try:
        for i in range(500):
            painter.setPen(QColor(i % 256, 0, 0))
            viewer.windowChanged.emit(float(i), 10.0)
    finally:
        painter.end()
    lost_none = none_before - sys.getrefcount(None)
    lost_true = true_before - sys.getrefcount(True)
    assert lost_none < 100 and lost_true < 100, (
        f"PySide6 {pyside_version} loses references to None/True ({lost_none}, {lost_true} "
        "per 500 calls): install another release (pyproject excludes 6.12.0)")


def test_zoomed_out_image_is_area_averaged_not_aliased(viewer: ScanViewer) -> None:
    """A one-pixel checkerboard seen at 25 % must be flat mid-grey, not a moiré pattern."""
    yy, xx = np.mgrid[0:400, 0:400]
    checker = (((xx + yy) % 2) * 1000.0).astype(np.float32)
    viewer.set_image(ScanImage(checker, None, (500.0, 1000.0), "CT", False))
    viewer.set_overlay_visible(False)
    viewer.set_zoom(0.25)
    pixels = grab(viewer.canvas)[:, :, 0].astype(int)
    x0, y0 = (round(v) for v in viewer.canvas.view.to_widget(0, 0))
    inside = pixels[y0 + 2:y0 + 98, x0 + 2:x0 + 98]
    assert abs(inside.mean() - 127.5) < 4 and inside.std() < 3
