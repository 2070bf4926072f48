"""The Progress panel in the real window: F8 shows it, it draws the project's report with
pyqtgraph, the threshold is stored, the random baseline runs in a worker and can be
cancelled, and a round refreshes it."""

from __future__ import annotations

import json
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alstudio.evaluation.baseline import BASELINE_META_KEY
from alstudio.evaluation.project_report import THRESHOLD_META_KEY
from alstudio.project import Project


def _show_panel(qtbot: QtBot, window) -> dict:
    panel = window.progress_panel
    assert not window.progress_dock.isVisible()  # hidden until asked for
    with qtbot.waitSignal(panel.report_shown, timeout=20_000) as shown:
        qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.progress_dock.isVisible() and panel.isVisible()
    return shown.args[0]


def test_f8_shows_the_report_of_the_project(qtbot: QtBot, open_window, rounds_path: Path):
    window = open_window(rounds_path, annotator="dr_a")  # a reader of those rounds
    report = _show_panel(qtbot, window)
    panel = window.progress_panel
    assert [p["labels"] for p in report["curve"]["points"]] == [16, 32, 48]
    assert panel.advice.text().startswith(("Keep going", "Diminishing returns"))
    assert "points per 100 labels" in panel.advice.text()
    # the curve is a real pyqtgraph plot holding the project's three points
    plot = panel._plots["balanced_accuracy"]
    curves = [item for item in plot.getPlotItem().listDataItems()
              if isinstance(item, pg.PlotDataItem) and item.name() == "this project"]
    assert len(curves) == 1 and list(curves[0].getData()[0]) == [16, 32, 48]
    assert "64 labels" in panel.cost_text.text() and "dr_a 2.0 s" in panel.cost_text.text()
    assert "Round 4" in panel.latest_text.text()
    assert "not computed" not in panel.curve_text.text()  # the GUI says how instead
    assert "retrains on random subsets" in panel.curve_text.text()


def test_threshold_is_stored_and_changes_the_advice(qtbot: QtBot, open_window,
                                                    rounds_path: Path):
    window = open_window(rounds_path, annotator="dr_a")  # a reader of those rounds
    _show_panel(qtbot, window)
    panel = window.progress_panel
    with qtbot.waitSignal(panel.report_shown, timeout=20_000) as shown:
        panel.threshold.setValue(100.0)
    assert shown.args[0]["stopping"]["status"] == "diminishing_returns"
    assert panel.advice.text().startswith("Diminishing returns")
    with Project.open(rounds_path) as project:
        assert project.meta()[THRESHOLD_META_KEY] == "100"


def test_baseline_runs_in_a_worker_and_cancel_stores_nothing(qtbot: QtBot, open_window,
                                                             rounds_path: Path):
    window = open_window(rounds_path, annotator="dr_a")  # a reader of those rounds
    _show_panel(qtbot, window)
    panel = window.progress_panel
    panel.seeds.setValue(1)
    panel.start_baseline()
    worker = panel.baseline_worker
    assert worker is not None and not panel.baseline_button.isEnabled()
    assert panel.cancel_button.isVisible()
    with qtbot.waitSignal(worker.cancelled, timeout=60_000):
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.baseline_worker is None, timeout=10_000)
    assert panel.baseline_button.isEnabled() and not panel.cancel_button.isVisible()
    with Project.open(rounds_path) as project:
        assert BASELINE_META_KEY not in project.meta()


@pytest.mark.slow
def test_baseline_draws_the_random_band(qtbot: QtBot, open_window, rounds_path: Path):
    window = open_window(rounds_path, annotator="dr_a")  # a reader of those rounds
    _show_panel(qtbot, window)
    panel = window.progress_panel
    panel.seeds.setValue(1)
    with qtbot.waitSignal(panel.report_shown, timeout=300_000) as shown:
        panel.start_baseline()
    qtbot.waitUntil(lambda: panel.baseline_worker is None, timeout=10_000)
    baseline = shown.args[0]["baseline"]
    assert baseline["sizes"] == [16, 32, 48]
    assert "Label efficiency" in panel.curve_text.text()
    names = [item.name() for item in panel._plots["auc"].getPlotItem().listDataItems()]
    assert "random (mean ± std)" in names
    with Project.open(rounds_path) as project:
        assert json.loads(project.meta()[BASELINE_META_KEY])["seeds"] == 1
