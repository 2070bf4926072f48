"""Two readers blind to each other, a disagreement, and an adjudicator settling it by keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from alstudio.gui.dialogs.adjudicate_dialog import AdjudicateDialog
from alstudio.gui.panels.queue_model import LABEL_COLUMN, REASON_COLUMN
from alstudio.project import Project


def _read(qtbot: QtBot, window, key: Qt.Key, note: str = "") -> int:
    """Give the item on screen a class by key press; returns its id."""
    item_id = window.labeling.current
    window.label_panel.note.setText(note)
    with qtbot.waitSignal(window.session.item_changed, timeout=5000):
        qtbot.keyClick(window, key)
    return item_id


def test_two_blind_readers_then_an_adjudication(qtbot: QtBot, open_window,
                                                demo_path: Path) -> None:
    with Project.open(demo_path) as project:
        double = project.item_ids("pool")[:2]
        project.request_reads(double)  # sent for a second read
        project.set_annotator_role("dr_chief", "adjudicator")

    window = open_window(demo_path, annotator="dr_a")
    assert window.labeling.current == double[0]
    assert window.label_panel.read_note.isVisibleTo(window)
    assert "Double reading" in window.label_panel.read_note.text()
    assert not window.actions.disagreements.isEnabled()
    assert window.queue_panel.filter_box.findData("disagreements") < 0
    _read(qtbot, window, Qt.Key.Key_1, "calcifications")  # malignant
    _read(qtbot, window, Qt.Key.Key_2)  # the second item: both readers agree later

    window.close_project()
    with qtbot.waitSignal(window.labeling.item_shown, timeout=10_000):
        assert window.open_project(demo_path, annotator="dr_b")
    session = window.session
    assert session.queue_ids()[:2] == double  # still to read for dr_b
    assert window.labeling.current == double[0]
    note = window.label_panel.read_note.text()
    assert note.startswith("Second read: 1 other reader") and "malignant" not in note
    assert not window.label_panel.readings.isVisibleTo(window)  # blind to dr_a
    assert session.status(double[0]) is None
    _read(qtbot, window, Qt.Key.Key_2, "benign cyst")  # benign/normal: a disagreement
    _read(qtbot, window, Qt.Key.Key_2)
    model = window.queue_panel._model
    assert model.index(0, LABEL_COLUMN).data() == "benign/normal"  # only dr_b's own label
    assert not window.label_panel.readings.isVisibleTo(window)
    assert not window.actions.disagreements.isEnabled()

    window.close_project()
    with qtbot.waitSignal(window.labeling.item_shown, timeout=10_000):
        assert window.open_project(demo_path, annotator="dr_chief")
    assert window.actions.disagreements.isEnabled()
    with qtbot.waitSignal(window.labeling.item_shown, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.queue_panel.visible_ids() == [double[0]]  # the agreed item is not listed
    assert window.labeling.current == double[0]
    assert "1 open, 0 settled" in window.queue_panel.title.text()
    assert "dr_a: malignant" in model_text(window, REASON_COLUMN)
    readings = window.label_panel.readings
    assert readings.isVisibleTo(window) and readings.columns == ["dr_a", "dr_b"]
    assert "Readers disagree" in readings.verdict.text()

    driven: list[str] = []

    def settle() -> None:  # the real dialog, by its keys: class 1, reason M, Enter
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AdjudicateDialog):
            QTimer.singleShot(20, settle)  # not up yet
            return
        try:
            driven.append(",".join(dialog.readings.columns))
            for key in (Qt.Key.Key_1, Qt.Key.Key_M):
                qtbot.keyClick(dialog, key)
            driven.append(f"{dialog.choice()}|{dialog.reason()}")
            qtbot.keyClick(dialog, Qt.Key.Key_Return)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, settle)
    with qtbot.waitSignal(window.session.item_changed, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_A)
    assert driven == ["dr_a,dr_b", "malignant|ambiguous image"]
    assert "0 open, 1 settled" in window.queue_panel.title.text()
    assert "Adjudicated: <b>malignant</b>" in readings.verdict.text()

    with Project.open(demo_path) as project:
        state = project.current_labels()[double[0]]
        assert (state.consensus, state.source, state.adjudication_reason) == (
            "malignant", "adjudicated", "ambiguous image")
        assert project.training_labels()[double[0]] == "malignant"
        last = project.label_history(double[0])[-1]
        assert (last.annotator, last.reason) == ("dr_chief", "ambiguous image")
        assert project.audit_log()[-1]["action"] == "adjudicate"


def test_the_shortcut_sheet_lists_disagreements_and_adjudicate(qtbot: QtBot,
                                                               open_window) -> None:
    from alstudio.gui.dialogs.shortcut_sheet import menu_shortcuts

    window = open_window()
    rows = {text: keys for _menu, entries in menu_shortcuts(window.menuBar())
            for text, keys in entries}
    assert rows["Disagreements"] == "D" and rows["Adjudicate…"] == "A"


def model_text(window, column: int) -> str:
    model = window.queue_panel._model
    return " | ".join(str(model.index(r, column).data()) for r in range(model.rowCount()))
