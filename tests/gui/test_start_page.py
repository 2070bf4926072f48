"""The start page's ways in: the demo (built in a worker), a new project, the annotator."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alstudio.gui import projects
from alstudio.gui.dialogs.annotator_dialog import AnnotatorDialog
from alstudio.gui.dialogs.new_project_dialog import NewProjectDialog, NewProjectSpec, check_classes
from alstudio.gui.main_window import MainWindow
from alstudio.gui.settings import AppSettings
from alstudio.paths import default_demo_path
from alstudio.project import ClassSpec, Project


def test_open_demo_builds_it_in_the_background_then_opens_it(qtbot: QtBot, open_window):
    window = open_window()
    assert window.stack.currentWidget() is window.start_page
    assert not default_demo_path().exists()
    with qtbot.waitSignal(window.project_opened, timeout=30_000):
        window.actions.open_demo.trigger()
    assert default_demo_path().exists()
    assert window.session is not None and window.session.annotator == "dr_test"
    assert len(window.session.entries) == 624  # the pool, in import order
    assert window.status.project.text() == "Project: BreastMNIST demo"
    assert window.status.annotator.text() == "Annotator: dr_test"
    qtbot.waitUntil(lambda: window.labeling._displayed is not None, timeout=5000)


def test_cancelling_the_demo_build_leaves_no_file(qtbot: QtBot, tmp_path: Path):
    window = MainWindow(annotator="dr_test")
    qtbot.addWidget(window)
    target = tmp_path / "cancelled-demo.alstudio"
    opened: list[Path] = []
    worker = projects.open_demo(window, opened.append, target)
    worker.cancel()
    with qtbot.waitSignal(worker.finished, timeout=30_000):
        pass
    assert opened == [] or opened == [target]  # a cancel may arrive after the last batch
    if not opened:
        assert not target.exists()


def test_the_annotator_is_asked_prefilled_with_the_last_one(
        qtbot: QtBot, demo_path: Path, monkeypatch: pytest.MonkeyPatch):
    AppSettings().set_last_annotator("dr_last")
    asked = []

    def ask(parent, project_name, known, last):
        asked.append((project_name, last))
        return "dr_new"

    monkeypatch.setattr(AnnotatorDialog, "ask", classmethod(
        lambda cls, *args: ask(*args)))
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_project(demo_path)
    assert asked == [("BreastMNIST demo", "dr_last")]
    assert window.session.annotator == "dr_new"
    assert AppSettings().last_annotator() == "dr_new"


def test_declining_the_annotator_opens_nothing(qtbot: QtBot, demo_path: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(AnnotatorDialog, "ask", classmethod(lambda cls, *args: None))
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.open_project(demo_path)
    assert window.session is None


def test_new_project_with_its_own_keys_and_colours(qtbot: QtBot, open_window, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "nodules.alstudio"
    spec = NewProjectSpec(path, "Nodules", [ClassSpec("benign", "1", "#4e9a06"),
                                            ClassSpec("malignant", "2", "#cc3e3e"),
                                            ClassSpec("artefact", "A", "#888a85")], "dr_n")
    monkeypatch.setattr(NewProjectDialog, "ask", classmethod(lambda cls, *args: spec))
    window = open_window()
    with qtbot.waitSignal(window.project_opened):
        window.actions.new_project.trigger()
    assert window.session.name == "Nodules"
    assert [b.text() for b in window.label_panel.class_buttons] == [
        "1   benign", "2   malignant", "A   artefact"]
    label_menu = [a.text() for a in window.menus.label.actions() if a.text()]
    assert label_menu[:3] == ["benign", "malignant", "artefact"]
    with Project.open(path) as project:
        assert [(c.name, c.shortcut, c.colour) for c in project.classes()] == [
            ("benign", "1", "#4e9a06"), ("malignant", "2", "#cc3e3e"),
            ("artefact", "A", "#888a85")]
        assert "dr_n" in [a.name for a in project.annotators()]
    assert window.labeling.current is None  # nothing imported yet
    assert "Import scans" in window.label_panel.item_detail.text()


def test_class_table_rules():
    ok = [("normal", "1", "#fff"), ("abnormal", "2", "#000")]
    assert check_classes(ok) is None
    assert "two classes" in check_classes([("normal", "1", "#fff")])
    assert "same name" in check_classes([("a", "1", ""), ("A", "2", "")])
    assert "share" in check_classes([("a", "1", ""), ("b", "1", "")])
    assert "taken" in check_classes([("a", "1", ""), ("b", "S", "")])
    assert "decisions" in check_classes([("a", "1", ""), ("skip", "2", "")])


def test_new_project_dialog_builds_a_spec(qtbot: QtBot, tmp_path: Path):
    dialog = NewProjectDialog(tmp_path, "dr_d")
    qtbot.addWidget(dialog)
    dialog.name.setText("lung screening")
    dialog.add_class("indeterminate")
    assert dialog.problem_text() is None
    spec = dialog.spec()
    assert spec.path == tmp_path / "lung-screening.alstudio"
    assert [(c.name, c.shortcut) for c in spec.classes] == [
        ("normal", "1"), ("abnormal", "2"), ("indeterminate", "3")]
    assert spec.annotator == "dr_d"
    dialog.table.item(2, 1).setText("s")
    assert "taken" in dialog.problem_text()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert "taken" in dialog.problem.text()
    assert dialog.isVisible() is False or dialog.result() == 0


def test_annotator_dialog_needs_a_name(qtbot: QtBot) -> None:
    dialog = AnnotatorDialog("Nodules", ["dr_a", "dr_b"], "dr_b")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert dialog.annotator() == "dr_b" and ok.isEnabled()
    dialog.name.setCurrentText("   ")
    assert not ok.isEnabled()
    dialog.name.setCurrentText(" dr_c ")
    assert ok.isEnabled() and dialog.annotator() == "dr_c"
