"""Agreement panel, the suspected-label-errors filter and File > Merge, in a real window."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from alstudio.gui.dialogs.merge_dialog import MergeDialog, MergeRequest
from alstudio.gui.panels.suspects_model import SuspectsModel
from alstudio.gui.session import ProjectSession
from alstudio.project import Project


def two_readers(path: Path, n: int = 40) -> list[int]:
    """dr_a and dr_b read the first ``n`` pool items from the reference; dr_b errs on 5."""
    with Project.open(path) as project:
        names = project.class_names()
        reference = project.reference_labels("pool")
        ids = sorted(reference)[:n]
        for k, item in enumerate(ids):
            project.add_label(item, "dr_a", names[reference[item]], seconds_spent=3.0)
            cls = reference[item] if k % 8 else 1 - reference[item]
            project.add_label(item, "dr_b", names[cls], seconds_spent=5.0)
    return ids


def test_agreement_dialog_shows_the_report(qtbot: QtBot, open_window, demo_path: Path) -> None:
    two_readers(demo_path)
    window = open_window(demo_path, "dr_a")
    qtbot.keyClick(window, Qt.Key.Key_A,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.reader_tools.agreement_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not dialog.worker.is_running)
    report = dialog.report
    assert dialog.pairs.rowCount() == 1
    assert dialog.pairs.item(0, 2).text() == "40"
    assert dialog.pairs.item(0, 4).text() == f"{report['pairs'][0]['percent_agreement']:.3f}"
    assert report["pairs"][0]["percent_agreement"] == 0.875
    assert dialog.readers.rowCount() == 2 and dialog.readers.item(0, 0).text() == "dr_a"
    assert dialog.confusion.rowCount() == 2
    total = sum(int(dialog.confusion.item(i, j).text()) for i in range(2) for j in range(2))
    assert total == 40
    value, interval = dialog.stat_labels["percent_agreement"]
    assert value.text() == "0.875" and "95% CI" in interval.text()
    dialog.close()


def suspects_found(demo_path: Path, confident: bool) -> tuple[list[str], list[int], int]:
    """Two readers on 10 items, one more item read by dr_a alone, and a label-error run that
    doubts two agreed items and the lone one; "chief" adjudicates. Returns the class names,
    the doubted ids and the lone item. ``confident``: the model is sure of the other class
    (0.95), else it hesitates (0.5 / 0.5)."""
    ids = two_readers(demo_path, 10)
    with Project.open(demo_path) as project:
        names = project.class_names()
        agreed = {i: s.consensus for i, s in project.current_labels().items() if s.consensus}
        doubted = [i for i in ids if i in agreed][:2]
        alone = max(project.reference_labels("pool"))  # read by dr_a only
        project.add_label(alone, "dr_a", names[0])
        agreed[alone] = names[0]
        doubted.append(alone)

        def probabilities(label: str) -> list[float]:
            if not confident:
                return [0.5, 0.5]
            return [0.95, 0.05] if label == names[1] else [0.05, 0.95]

        project.save_label_error_run(
            round_id=None, checked=len(agreed), params={},
            errors=[(i, agreed[i], probabilities(agreed[i]), 0.05) for i in doubted])
        project.ensure_annotator("chief", "adjudicator")
    return names, doubted, alone


def test_suspected_label_errors_filter(qtbot: QtBot, open_window, demo_path: Path) -> None:
    _names, doubted, alone = suspects_found(demo_path, confident=True)
    window = open_window(demo_path, "chief")
    panel = window.queue_panel
    assert panel.filter_box.findData("suspects") >= 0
    panel.set_filter("suspects")
    assert panel.visible_ids() == doubted
    assert "3 suspected label errors" in panel.title.text()
    assert not panel.table.isColumnHidden(2)  # the score shows though no round ran
    first = panel.table.model().index(0, 4)
    assert first.data() in ("malignant 0.95", "benign/normal 0.95")
    assert "Out of sample the model says" in first.data(Qt.ItemDataRole.ToolTipRole)
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.labeling.current == doubted[0]
    panel.set_filter("all")
    assert len(panel.visible_ids()) > 2
    # a plain reader stays blind: dr_a sees only the suspect no one else read
    reader = ProjectSession(Project.open(demo_path), "dr_a")
    try:
        assert SuspectsModel(reader).ids == [alone]
    finally:
        reader.close()


def test_suspects_sent_for_a_second_read_from_the_queue_panel(qtbot: QtBot, open_window,
                                                             demo_path: Path) -> None:
    from alstudio.workflow.label_errors import SUSPECT_WHY

    names, doubted, alone = suspects_found(demo_path, confident=False)
    window = open_window(demo_path, "chief")
    panel = window.queue_panel
    assert not panel.second_read_button.isVisible()  # only in the suspects view
    panel.set_filter("suspects")
    assert panel.second_read_button.isVisible() and panel.second_read_button.isEnabled()
    qtbot.mouseClick(panel.second_read_button, Qt.MouseButton.LeftButton)
    assert "3 suspected label error(s) sent for a second read" in window.status.currentMessage()
    with Project.open(demo_path) as project:
        assert project.planned_reads() == dict.fromkeys(doubted, 2)
        assert project.read_reasons()[alone] == SUSPECT_WHY
        assert project.current_labels()[alone].by_annotator == {"dr_a": names[0]}  # stands
    window.actions.second_read_suspects.trigger()  # the Rounds menu entry: nothing new
    assert window.status.currentMessage().startswith("0 suspected")
    assert "3 had been asked already" in window.status.currentMessage()
    # another reader now finds the suspect dr_a read alone in their queue, waiting for them
    reader = ProjectSession(Project.open(demo_path), "dr_b")
    try:
        assert reader.entry(alone) is not None
        assert reader.core.required_reads(alone) == 2 and reader.core.needs_reads(alone)
    finally:
        reader.close()


def test_merge_from_the_file_menu(qtbot: QtBot, open_window, demo_path: Path, tmp_path: Path,
                                  monkeypatch) -> None:
    copy = tmp_path / "other.alstudio"
    shutil.copyfile(demo_path, copy)
    with Project.open(copy) as project:
        project.set_meta("workstation_id", "f" * 32)
    two_readers(copy, 6)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    out = tmp_path / "merged.alstudio"
    window = open_window(demo_path, "dr_a")
    request = MergeRequest(inputs=[demo_path, copy], output=out, class_map=[])
    monkeypatch.setattr(MergeDialog, "ask", classmethod(lambda cls, parent, first: request))
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text: asked.append(text)
                        or QMessageBox.StandardButton.Yes)
    worker = window.reader_tools.merge()
    with qtbot.waitSignal(worker.finished, timeout=30_000):
        pass
    assert asked and "12 label event(s)" in asked[0]
    window.lifecycle.wait_opened()  # the merged project opens in the background
    assert window.session is not None and window.session.path == out
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before


def test_merge_dialog_needs_two_files_and_an_output(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = MergeDialog(tmp_path / "a.alstudio")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled()
    dialog.inputs.addItem(str(tmp_path / "b.alstudio"))
    dialog.output.setText(str(tmp_path / "m.alstudio"))
    assert ok.isEnabled()
    dialog.class_map.setText("lesion=abnormal, nodule = abnormal")
    request = dialog.request()
    assert request.class_map == ["lesion=abnormal", "nodule = abnormal"]
    assert request.inputs == [tmp_path / "a.alstudio", tmp_path / "b.alstudio"]
