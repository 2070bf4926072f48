"""ScanViewer on a real 35-file MR series: slices, window from the file, no PHI on screen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from alstudio.datasets import ScanImage, ScanRecord, discover, read_pixels
from alstudio.gui.viewer import ScanViewer

SERIES = Path("dicom_mr_series/HFS/3_t1_fl2d_sag")
#: Header fields that identify the patient or the visit: none may reach the overlay.
IDENTIFYING = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "PatientAge",
               "OtherPatientIDs", "InstitutionName", "InstitutionAddress",
               "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName",
               "AccessionNumber", "StudyID", "StudyDate", "StudyInstanceUID",
               "SeriesInstanceUID", "StationName", "DeviceSerialNumber")


@pytest.fixture(scope="module")
def mr_folder(shared_data: Path) -> Path:
    folder = shared_data / SERIES
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    return folder


@pytest.fixture(scope="module")
def mr_image(mr_folder: Path) -> ScanImage:
    records = [r for r in discover([mr_folder]) if isinstance(r, ScanRecord)]
    assert len(records) == 1, "the 35 files are one series"
    return read_pixels(records[0].source)


@pytest.fixture
def viewer(qtbot, mr_image: ScanImage) -> ScanViewer:
    widget = ScanViewer()
    qtbot.addWidget(widget)
    widget.resize(480, 420)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_image(mr_image, overlay={"item": "17", "split": "pool", "rank": 2})
    widget.canvas.setFocus()
    return widget


def wheel(widget: QWidget, notches: int,
          modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, -120 * notches),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_starts_on_the_central_slice_with_the_file_window(viewer: ScanViewer,
                                                          mr_image: ScanImage) -> None:
    assert mr_image.array.shape[0] == 35
    assert viewer.slice_count() == 35
    assert viewer.slice_index() == 17
    assert viewer.position_label.text() == "slice 18/35"
    assert viewer.slider.isVisible() and viewer.slider.value() == 17
    assert viewer.window() == pytest.approx(mr_image.window)
    assert viewer.image().array.dtype == np.float32  # native values kept, not 8-bit


def test_wheel_and_page_keys_scroll_slices_within_bounds(viewer: ScanViewer, qtbot) -> None:
    with qtbot.waitSignal(viewer.sliceChanged) as blocker:
        wheel(viewer.canvas, 1)
    assert blocker.args == [18, 35]
    assert viewer.position_label.text() == "slice 19/35"
    assert "slice 19/35" in viewer.overlay_text()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_PageUp)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Up)
    assert viewer.slice_index() == 16
    zoom = viewer.zoom()
    wheel(viewer.canvas, -3, Qt.KeyboardModifier.ControlModifier)  # Ctrl+wheel zooms instead
    assert viewer.slice_index() == 16 and viewer.zoom() > zoom
    for _ in range(40):
        qtbot.keyClick(viewer.canvas, Qt.Key.Key_PageDown)
    assert viewer.slice_index() == 34 and viewer.position_label.text() == "slice 35/35"
    wheel(viewer.canvas, 5)
    assert viewer.slice_index() == 34
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Home)
    assert viewer.slice_index() == 0
    wheel(viewer.canvas, -2)
    assert viewer.slice_index() == 0
    viewer.slider.setValue(30)  # dragging the slider moves the viewer too
    assert viewer.slice_index() == 30


def test_slice_change_changes_pixels(viewer: ScanViewer, qtbot) -> None:
    viewer.set_overlay_visible(False)
    before = viewer.canvas.grab().toImage()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_End)
    after = viewer.canvas.grab().toImage()
    assert before != after


def test_right_drag_on_mr(viewer: ScanViewer, qtbot) -> None:
    before = viewer.canvas.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    start = QPoint(200, 200)
    qtbot.mousePress(viewer.canvas, Qt.MouseButton.RightButton, pos=start)
    qtbot.mouseMove(viewer.canvas, start + QPoint(-50, -30))
    qtbot.mouseRelease(viewer.canvas, Qt.MouseButton.RightButton, pos=start + QPoint(-50, -30))
    centre, width = viewer.window()
    assert width < viewer.image().window[1] and centre < viewer.image().window[0]
    after = viewer.canvas.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    assert before != after
    assert viewer.apply_preset("auto") and viewer.window() != (centre, width)


def test_overlay_has_modality_and_slice_but_no_patient_data(viewer: ScanViewer, qtbot,
                                                            mr_folder: Path) -> None:
    qtbot.mouseMove(viewer.canvas, QPoint(240, 200))  # cursor readout on
    viewer.apply_preset("auto")
    viewer.set_invert(True)
    text = viewer.overlay_text()
    assert "MR" in text and "slice 18/35" in text and "value" in text
    assert "item 17" in text and "rank 2" in text
    forbidden: set[str] = set()
    for path in sorted(mr_folder.glob("*.dcm")):
        header = pydicom.dcmread(path, stop_before_pixels=True)
        for keyword in IDENTIFYING:
            value = header.get(keyword)
            if value is None:
                continue
            # whole values and name parts; short ones ("M", StudyID "1") would match any text
            parts = {str(value).strip(), *str(value).replace("^", " ").split()}
            forbidden |= {part for part in parts if len(part) >= 3}
    assert "HFS" in forbidden, "the test series should carry patient fields to check against"
    for value in forbidden:
        assert value not in text, f"{value!r} from the DICOM header appears in the overlay"
