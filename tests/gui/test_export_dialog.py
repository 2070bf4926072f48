"""The export dialog: a background export with progress, its report, and Cancel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pytestqt.qtbot import QtBot

from alstudio.gui.dialogs.export_dialog import ExportDialog
from alstudio.project import Project
from alstudio.workflow.importer import import_paths


@pytest.fixture
def dicom_project(tmp_path: Path, pydicom_test_files: Path) -> Path:
    scans = tmp_path / "scans"
    scans.mkdir()
    for name in ("CT_small.dcm", "MR_small.dcm", "SC_rgb_gdcm_KY.dcm"):
        shutil.copyfile(pydicom_test_files / name, scans / name)
    path = tmp_path / "gui.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        import_paths(project, [scans], "pool")
        for n, item in enumerate(project.items()):
            project.add_label(item.id, "dr_a", ("normal", "abnormal")[n % 2], seconds_spent=2.0)
    return path


def test_csv_export_runs_in_the_background(qtbot: QtBot, dicom_project: Path,
                                           tmp_path: Path) -> None:
    dialog = ExportDialog(dicom_project)
    qtbot.addWidget(dialog)
    dialog.set_format("csv")
    assert dialog.include_unlabeled.isEnabled() and not dialog.keep_identifiers.isEnabled()
    dialog.set_out(tmp_path / "out")
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.start()
    qtbot.waitUntil(lambda: dialog.worker is not None and not dialog.worker.is_running)
    assert len(pd.read_csv(tmp_path / "out" / "labels.csv")) == 3
    assert "Exported 3 item(s)" in dialog.message.text()
    assert dialog.cancel_button.text() == "Close"


def test_dicom_export_lists_what_was_left_out(qtbot: QtBot, dicom_project: Path,
                                              tmp_path: Path) -> None:
    dialog = ExportDialog(dicom_project)
    qtbot.addWidget(dialog)
    dialog.set_format("dicom")
    assert dialog.keep_identifiers.isEnabled() and not dialog.copy.isEnabled()
    dialog.set_out(tmp_path / "dcm")
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.start()
    qtbot.waitUntil(lambda: not dialog.worker.is_running)
    assert "secondary capture" in dialog.details.toPlainText()
    assert dialog.details.isVisibleTo(dialog)
    manifest = json.loads((tmp_path / "dcm" / "manifest.json").read_text())
    assert manifest["items_written"] == 2


def test_cancel_writes_nothing(qtbot: QtBot, dicom_project: Path, tmp_path: Path) -> None:
    dialog = ExportDialog(dicom_project)
    qtbot.addWidget(dialog)
    dialog.set_format("folders")
    dialog.set_out(tmp_path / "cancelled")
    dialog.start()
    dialog.cancel_button.click()  # cancels before the first item is written
    # the outcome arrives as a queued signal after the thread ends: wait for it, not the thread
    qtbot.waitUntil(lambda: dialog.worker.outcome is not None, timeout=30_000)
    assert dialog.worker.outcome in ("cancelled", "succeeded")
    if dialog.worker.outcome == "cancelled":
        assert "nothing was written" in dialog.message.text()
        assert not (tmp_path / "cancelled" / "manifest.json").exists()
    else:  # the export won the race: it is then complete, manifest included
        assert (tmp_path / "cancelled" / "manifest.json").exists()


def test_a_non_empty_folder_is_an_error_and_can_be_retried(
        qtbot: QtBot, dicom_project: Path, tmp_path: Path,
        shown_errors: list[tuple[str, str, str]]) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    dialog = ExportDialog(dicom_project)
    qtbot.addWidget(dialog)
    dialog.set_format("json")
    dialog.set_out(busy)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.worker.is_running and bool(shown_errors),
                    timeout=30_000)
    assert "not empty" in shown_errors[0][1]
    shown_errors.clear()
    assert dialog.start_button.isEnabled()
    dialog.force.setChecked(True)
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.start()
    qtbot.waitUntil(lambda: not dialog.worker.is_running)
    assert (busy / "labels.json").exists() and (busy / "keep.txt").exists()
