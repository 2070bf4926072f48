"""Rounds > Learn from the unlabeled pool, in a real window on real projects: the dialog, the
background job's progress, Cancel (what a cancel keeps), the stored encoder, the import hint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alstudio.gui.dialogs.pretrain_dialog import format_duration
from alstudio.jobs import Progress
from alstudio.learning.names import ENCODER_KIND
from alstudio.project import Project
from alstudio.workflow.demo import DEMO_CLASSES, demo_archive
from alstudio.workflow.importer import import_paths

JOB_MS = 120_000


@pytest.fixture
def small_pool(tmp_path: Path) -> Path:
    """A real project of 64 BreastMNIST scans (one pretraining step an epoch)."""
    archive = np.load(demo_archive())
    npz = tmp_path / "small.npz"
    np.savez(npz, train_images=archive["train_images"][:64],
             train_labels=archive["train_labels"][:64])
    path = tmp_path / "small.alstudio"
    with Project.create(path, list(DEMO_CLASSES), name="small") as project:
        import_paths(project, [npz], modality="US")
    return path


def stored_epochs(path: Path) -> int | None:
    with Project.open(path) as project:
        blob = project.latest_checkpoint_of_kind(ENCODER_KIND)
    return None if blob is None else int(blob.hyperparameters["epochs_done"])


def test_a_run_from_the_window_stores_the_encoder(qtbot: QtBot, open_window,
                                                  small_pool: Path) -> None:
    window = open_window(small_pool)
    assert not window.status.encoder.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_P,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.pretraining.dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert "64 scans in the pool" in dialog.about.text()
    assert "No encoder yet" in dialog.encoder_line.text()
    assert "on this machine" in dialog.estimate.text() and "28 px" in dialog.estimate.text()
    assert not dialog.fresh.isEnabled()
    dialog.epochs.setValue(2)
    steps: list[Progress] = []
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    worker = window.pretraining.worker
    assert worker is not None and not dialog.start_button.isEnabled()
    worker.progressed.connect(steps.append)
    with qtbot.waitSignal(worker.finished, timeout=JOB_MS):
        pass
    assert any(s.phase == "pretraining" for s in steps)
    assert stored_epochs(small_pool) == 2
    assert "Encoder ready: 2 epoch(s)" in dialog.note.text()
    assert "Run round offers starting from it" in window.status.currentMessage()
    assert "worse with a rare class" in window.status.currentMessage()
    assert window.status.encoder.isVisible()
    assert window.status.encoder.text() == "Encoder: 2 epochs"
    # the run measured this machine: the next estimate says so, and Start continues
    assert "measured on this project's last run" in dialog.estimate.text()
    assert "Stored encoder: 2 epoch(s)" in dialog.encoder_line.text()
    assert dialog.fresh.isEnabled() and dialog.start_button.isEnabled()
    dialog.close()


def test_cancel_stops_the_run_and_labeling_goes_on(qtbot: QtBot, open_window,
                                                   demo_path: Path) -> None:
    window = open_window(demo_path)
    dialog = window.pretraining.show_dialog()
    assert dialog is not None
    dialog.epochs.setValue(50)  # far longer than the test waits
    window.pretraining.start(dialog.epochs.value(), False)
    worker = window.pretraining.worker
    assert worker is not None
    qtbot.waitUntil(lambda: "epoch" in dialog.phase.text(), timeout=JOB_MS)
    assert dialog.bar.maximum() == 1000
    window.activateWindow()  # the reader goes back to the scan: the dialog stays open
    qtbot.waitUntil(window.isActiveWindow)
    first = window.labeling.current
    with qtbot.waitSignal(window.labeling.item_shown, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_1)  # a label while the job runs
    assert window.labeling.current != first and dialog.isVisible()
    with qtbot.waitSignal(worker.finished, timeout=JOB_MS):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert worker.outcome == "cancelled"
    assert window.session is not None and window.session.labeled_items() == 1
    kept = stored_epochs(demo_path)
    if kept is None:
        assert "nothing was stored" in dialog.note.text()
    else:  # a slow machine finished an epoch first: it was kept, and the dialog says so
        assert 1 <= kept < 50 and "finished epochs are kept" in dialog.note.text()
    assert "Cancelled" in window.status.currentMessage()
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()
    dialog.close()


def test_the_import_hint_comes_once_and_only_for_a_big_pool(qtbot: QtBot, open_window,
                                                            demo_path: Path,
                                                            small_pool: Path) -> None:
    window = open_window(small_pool)
    window.pretraining.after_import()
    assert "no encoder yet" not in window.status.currentMessage()  # 64 scans: not worth it
    assert window.pretraining.show_dialog() is not None
    window.open_project(demo_path)
    assert window.pretraining.dialog is None  # the small project's idle dialog went with it
    dialog = window.pretraining.show_dialog()
    assert dialog is not None and "624 scans" in dialog.about.text()
    dialog.close()
    window.pretraining.after_import()
    message = window.status.currentMessage()
    assert "624 scans in the pool and no encoder yet" in message
    assert "Ctrl+Shift+P" in message
    window.status.clearMessage()
    window.pretraining.after_import()
    assert window.status.currentMessage() == ""  # offered once per project


def test_durations_read_as_plans() -> None:
    assert format_duration(3) == "5 s" and format_duration(42) == "40 s"
    assert format_duration(200) == "3 min" and format_duration(3900) == "1 h 05 min"


def test_the_round_dialog_offers_the_encoder_only_when_there_is_one(
        qtbot: QtBot, open_window, small_pool: Path) -> None:
    from alstudio.gui.dialogs.round_dialog import RoundDialog
    from alstudio.workflow.pretrain import run_pretrain
    from alstudio.workflow.round import ENCODER_MEASURED, RoundConfig

    window = open_window(small_pool)
    assert window.pretraining.epochs() is None
    bare = RoundDialog(RoundConfig(use_encoder=True), 0, window, window.pretraining.epochs())
    qtbot.addWidget(bare)
    assert bare.encoder.isHidden() and bare.encoder_note.isHidden()
    assert bare.request().use_encoder is False  # nothing to start from: never asked for
    run_pretrain(small_pool, epochs=1, threads=1)
    assert window.pretraining.epochs() == 1
    dialog = RoundDialog(window.round_request, 0, window, window.pretraining.epochs())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.encoder.isVisible() and dialog.encoder_note.isVisible()
    assert "(1 epochs)" in dialog.encoder.text()
    assert ENCODER_MEASURED[1:] in dialog.encoder_note.text()
    assert not dialog.encoder.isChecked() and dialog.request().use_encoder is False
    qtbot.mouseClick(dialog.encoder, Qt.MouseButton.LeftButton)
    chosen = dialog.request()
    assert chosen.use_encoder is True and chosen.strategy == window.round_request.strategy
    again = RoundDialog(chosen, 0, window, window.pretraining.epochs())  # remembered
    qtbot.addWidget(again)
    assert again.encoder.isChecked()
    assert not again.probe.isChecked() and again.request().feature_probe is False  # opt-in


def test_the_round_dialog_offers_the_feature_probe_with_the_encoder(
        qtbot: QtBot, open_window, small_pool: Path) -> None:
    from alstudio.gui.dialogs.round_dialog import RoundDialog
    from alstudio.workflow.pretrain import run_pretrain
    from alstudio.workflow.round import RoundConfig
    from alstudio.workflow.round_encoder import PROBE_MEASURED

    window = open_window(small_pool)
    bare = RoundDialog(RoundConfig(feature_probe=True), 0, window, None)
    qtbot.addWidget(bare)
    # nothing to average in: never asked for, so the round cannot refuse for want of it
    assert bare.probe.isHidden() and bare.request().feature_probe is False
    run_pretrain(small_pool, epochs=1, threads=1)
    dialog = RoundDialog(window.round_request, 0, window, window.pretraining.epochs())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.probe.isVisible() and PROBE_MEASURED[1:] in dialog.probe_note.text()
    assert not dialog.probe.isChecked()  # opt-in, even with an encoder that fits
    qtbot.mouseClick(dialog.probe, Qt.MouseButton.LeftButton)
    chosen = dialog.request()
    assert chosen.feature_probe is True and chosen.use_encoder is False
    again = RoundDialog(chosen, 0, window, window.pretraining.epochs())
    qtbot.addWidget(again)
    assert again.probe.isChecked()  # the choice is remembered
