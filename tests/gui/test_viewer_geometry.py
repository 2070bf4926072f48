"""The viewer and the label panel tell the reader where the patient is and what is odd.

Real data: the 35-file sagittal T1 series, and the same series with one slice removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from alstudio.datasets import ScanRecord, discover, read_pixels
from alstudio.gui.actions import Actions
from alstudio.gui.panels.label_panel import LabelPanel
from alstudio.gui.viewer import ScanViewer
from alstudio.gui.viewer.colour import OVERLAY_WARNING

SERIES = Path("dicom_mr_series/HFS/3_t1_fl2d_sag")
GAP = "slice gap: 9.6 mm between slices 3 and 4; elsewhere 4.8 mm"


@pytest.fixture
def gap_record(tmp_path: Path, shared_data: Path) -> ScanRecord:
    slices = [pydicom.dcmread(p, stop_before_pixels=True)
              for p in (shared_data / SERIES).glob("*.dcm")]
    slices.sort(key=lambda ds: -float(ds.ImagePositionPatient[0]))  # left to right
    for index, ds in enumerate(slices):
        if index != 3:
            shutil.copyfile(ds.filename, tmp_path / Path(ds.filename).name)
    (record,) = [r for r in discover([tmp_path]) if isinstance(r, ScanRecord)]
    return record


def _viewer(qtbot, record: ScanRecord) -> ScanViewer:
    widget = ScanViewer()
    qtbot.addWidget(widget)
    widget.resize(480, 420)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_image(read_pixels(record.source))
    return widget


def test_sagittal_letters_on_the_four_sides(qtbot, shared_data: Path) -> None:
    (record,) = [r for r in discover([shared_data / SERIES]) if isinstance(r, ScanRecord)]
    viewer = _viewer(qtbot, record)
    # sagittal, radiological: head up, face to the left of the screen
    assert viewer.canvas.overlay.sides == ("S", "P", "I", "A")
    assert viewer.canvas.overlay.warnings == []


def test_a_slice_gap_is_written_over_the_scan_in_the_warning_colour(
        qtbot, gap_record: ScanRecord) -> None:
    viewer = _viewer(qtbot, gap_record)
    assert viewer.canvas.overlay.warnings == [GAP]
    assert GAP in viewer.overlay_text()
    frame = QImage(viewer.canvas.size(), QImage.Format.Format_RGB32)
    viewer.canvas.render(frame)
    pixels = np.array([[frame.pixelColor(x, y).getRgb()[:3] for x in range(0, 300)]
                       for y in range(40, 80)])
    amber = np.array(OVERLAY_WARNING.getRgb()[:3])
    assert (np.abs(pixels - amber).sum(axis=-1) < 60).any()  # painted, not only composed


def test_the_label_panel_shows_the_warning(qtbot, gap_record: ScanRecord) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    panel = LabelPanel(Actions(host), host)
    panel.show_item("Item 1", "MR", str(gap_record.metadata["warnings"]))
    assert panel.geometry_note.text() == f"Warning: {GAP}"
    assert not panel.geometry_note.isHidden()
    panel.show_item("Item 2", "MR")
    assert panel.geometry_note.isHidden()
