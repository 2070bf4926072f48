"""Queue panel: filters, jump to an item, the label budget."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alstudio.project import Project


def _label_three(qtbot: QtBot, window) -> list[int]:
    given = []
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_S):
        given.append(window.labeling.current)
        with qtbot.waitSignal(window.labeling.item_shown):
            qtbot.keyClick(window, key)
    return given


def test_filters(qtbot: QtBot, open_window, demo_path: Path) -> None:
    window = open_window(demo_path)
    malignant, benign, skipped = _label_three(qtbot, window)
    panel = window.queue_panel
    everything = panel.visible_ids()
    assert len(everything) == 624
    panel.set_filter("unlabeled")
    assert len(panel.visible_ids()) == 621
    assert not {malignant, benign, skipped} & set(panel.visible_ids())
    panel.set_filter("labeled")
    assert panel.visible_ids() == [malignant, benign]
    panel.set_filter("undecided")
    assert panel.visible_ids() == [skipped]
    panel.set_filter("class:malignant")
    assert panel.visible_ids() == [malignant]
    # Next/Previous walk the filtered list
    panel.set_filter("labeled")
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.labeling.current == malignant
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.labeling.current == benign


def test_unlabeled_filter_follows_new_labels(qtbot: QtBot, open_window, demo_path: Path):
    window = open_window(demo_path)
    window.queue_panel.set_filter("unlabeled")
    first = window.labeling.current
    with qtbot.waitSignal(window.labeling.item_shown):
        qtbot.keyClick(window, Qt.Key.Key_1)
    assert first not in window.queue_panel.visible_ids()
    assert window.labeling.current == window.queue_panel.visible_ids()[0]


def test_jump_to_an_item_by_id(qtbot: QtBot, open_window, demo_path: Path) -> None:
    window = open_window(demo_path)
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    field = window.queue_panel.jump_field
    assert field.hasFocus()
    qtbot.keyClicks(field, "42")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.labeling.current == 42
    assert window.queue_panel.table.selectionModel().selectedRows()[0].data() == 42
    qtbot.keyClicks(field, "999999")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.labeling.current == 42
    assert "no item 999999" in window.status.currentMessage()


def test_clicking_a_row_shows_that_item(qtbot: QtBot, open_window, demo_path: Path) -> None:
    window = open_window(demo_path)
    table = window.queue_panel.table
    index = table.model().index(5, 0)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.labeling.current == window.queue_panel.visible_ids()[5]


def test_budget_is_a_project_setting(qtbot: QtBot, open_window, demo_path: Path) -> None:
    window = open_window(demo_path)
    panel = window.queue_panel
    assert panel.budget_bar.text() == "0 labels (no budget set)"
    panel.budget_spin.setValue(50)
    with Project.open(demo_path) as project:
        assert project.meta()["label_budget"] == "50"
    _label_three(qtbot, window)
    assert panel.budget_bar.text() == "2 / 50 labels"
    assert panel.budget_bar.value() == 2
