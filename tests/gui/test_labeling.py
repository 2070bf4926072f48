"""Labeling the demo by key presses: events in SQLite, undo, notes, blind mode, timing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar
from pytestqt.qtbot import QtBot

from alstudio.project import Project


def label_events(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT e.item_id, e.decision, c.name, a.name, e.started_at, e.seconds_spent, "
            "e.note, r.event_id IS NOT NULL FROM label_events e "
            "JOIN annotators a ON a.id = e.annotator_id "
            "LEFT JOIN classes c ON c.id = e.class_id "
            "LEFT JOIN label_retractions r ON r.event_id = e.id ORDER BY e.id").fetchall()


def test_five_labels_by_key_press_land_in_sqlite(qtbot: QtBot, open_window, demo_path: Path):
    window = open_window(demo_path)
    shown = []
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_2, Qt.Key.Key_S, Qt.Key.Key_U]
    for key in keys:
        shown.append(window.labeling.current)
        with qtbot.waitSignal(window.labeling.item_shown, timeout=5000):
            qtbot.keyClick(window, key)
    events = label_events(demo_path)
    assert [(e[0], e[1], e[2]) for e in events] == [
        (shown[0], "label", "malignant"), (shown[1], "label", "benign/normal"),
        (shown[2], "label", "benign/normal"), (shown[3], "skip", None),
        (shown[4], "unsure", None)]
    assert len(set(shown)) == 5
    for _item, _decision, _cls, annotator, started_at, seconds, _note, retracted in events:
        assert annotator == "dr_test"
        assert started_at and started_at.endswith("Z")
        assert seconds is not None and 0 <= seconds < 60
        assert not retracted
    assert window.labeling.current not in shown  # moved on to the next unlabeled item
    assert window.status.labels.text() == "Labels: 3"


def test_undo_retracts_and_returns_to_the_item(qtbot: QtBot, open_window, demo_path: Path):
    window = open_window(demo_path)
    first = window.labeling.current
    with qtbot.waitSignal(window.labeling.item_shown):
        qtbot.keyClick(window, Qt.Key.Key_1)
    assert window.session.status(first) == "malignant"
    with qtbot.waitSignal(window.labeling.item_shown):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.labeling.current == first
    assert window.session.status(first) is None
    assert label_events(demo_path)[-1][-1] == 1  # retracted
    with Project.open(demo_path) as project:
        assert project.current_labels() == {}


def test_typing_a_note_triggers_no_shortcut(qtbot: QtBot, open_window, demo_path: Path):
    window = open_window(demo_path)
    item = window.labeling.current
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    note = window.label_panel.note
    assert note.hasFocus()
    qtbot.keyClicks(note, "1 2 s u n p b large calcification")
    assert label_events(demo_path) == []
    assert window.labeling.current == item
    assert window.labeling.blind  # B typed into the note did not toggle blind mode
    qtbot.keyClick(note, Qt.Key.Key_Escape)
    assert not note.hasFocus()
    with qtbot.waitSignal(window.labeling.item_shown):
        qtbot.keyClick(window, Qt.Key.Key_2)
    events = label_events(demo_path)
    assert [(e[0], e[2], e[6]) for e in events] == [
        (item, "benign/normal", "1 2 s u n p b large calcification")]
    assert note.text() == ""


def test_next_and_previous_walk_the_queue(qtbot: QtBot, open_window, demo_path: Path):
    window = open_window(demo_path)
    ids = window.queue_panel.visible_ids()
    assert window.labeling.current == ids[0]
    qtbot.keyClick(window, Qt.Key.Key_N)
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.labeling.current == ids[2]
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert window.labeling.current == ids[1]
    qtbot.waitUntil(lambda: window.labeling._displayed == ids[1], timeout=5000)
    assert label_events(demo_path) == []


def _store_round_with_probabilities(path: Path) -> list[int]:
    """A stored round as the engine writes it: a queue with class probabilities."""
    from alstudio.project import QueueEntry
    from alstudio.project.timeutil import utc_now

    with Project.open(path) as project:
        ids = project.item_ids("pool")[:3]
        queue = [QueueEntry(item_id, rank, 0.9 - rank / 10, "uncertain", (0.8, 0.2))
                 for rank, item_id in enumerate(ids, start=1)]
        project.save_round(strategy="margin", params={}, seed=0, labels_used=0, metrics={},
                           queue=queue, started_at=utc_now())
    return ids


def test_blind_mode_hides_the_prediction_until_labeled(qtbot: QtBot, open_window,
                                                      demo_path: Path):
    ids = _store_round_with_probabilities(demo_path)
    window = open_window(demo_path)
    assert window.labeling.current == ids[0]
    prediction = window.label_panel.prediction
    assert window.actions.blind.isChecked()
    assert prediction.state == "hidden"
    assert "80.0" not in prediction.text()
    assert "prediction" not in window.viewer.overlay_text()
    with qtbot.waitSignal(window.labeling.item_shown):
        qtbot.keyClick(window, Qt.Key.Key_2)
    assert prediction.state == "hidden"  # the next item is not labeled yet
    qtbot.keyClick(window, Qt.Key.Key_P)  # back to the labeled one: now revealed
    assert window.labeling.current == ids[0]
    assert prediction.state == "shown"
    assert "malignant" in prediction.text() and "80.0 %" in prediction.text()
    qtbot.keyClick(window, Qt.Key.Key_N)
    qtbot.keyClick(window, Qt.Key.Key_B)  # blind mode off: shown before labeling
    assert not window.actions.blind.isChecked()
    assert prediction.state == "shown"


def test_switching_projects_leaves_nothing_behind(qtbot: QtBot, open_window, demo_path: Path,
                                                  tmp_path: Path):
    ids = _store_round_with_probabilities(demo_path)
    window = open_window(demo_path)
    qtbot.keyClick(window, Qt.Key.Key_B)  # show the prediction
    assert window.label_panel.prediction.state == "shown"
    window.status.showMessage("a note about the demo")
    other = tmp_path / "other.alstudio"
    Project.create(other, ["normal", "lesion", "artefact"]).close()
    window.actions.close_project.trigger()
    assert window.status.currentMessage() == ""
    assert window.open_project(other)
    panel = window.label_panel
    assert [b.text() for b in panel.class_buttons] == ["1   normal", "2   lesion",
                                                        "3   artefact"]
    shown_class_buttons = [b for b in panel.findChildren(type(panel.class_buttons[0]))
                           if b.property("role") == "class" and b.isVisible()]
    assert sorted(map(id, shown_class_buttons)) == sorted(map(id, panel.class_buttons))
    assert panel.prediction.state == "none"
    assert "80.0" not in panel.prediction.text()
    assert not [w for w in panel.prediction.findChildren(QProgressBar) if w.isVisible()]
    assert window.labeling.current is None and ids


def test_class_keys_work_after_clicking_the_queue(qtbot: QtBot, open_window, demo_path: Path):
    window = open_window(demo_path)
    table = window.queue_panel.table
    rect = table.visualRect(table.model().index(3, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    item = window.labeling.current
    assert table.hasFocus()
    with qtbot.waitSignal(window.labeling.item_shown):
        qtbot.keyClick(table, Qt.Key.Key_2)
    assert [(e[0], e[2]) for e in label_events(demo_path)] == [(item, "benign/normal")]
