"""The import dialog: a background import with a report of every skipped file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from alstudio.gui.dialogs.import_dialog import ImportDialog
from alstudio.project import Project


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    path = tmp_path / "import.alstudio"
    Project.create(path, ["normal", "abnormal"]).close()
    return path


@pytest.fixture
def mixed_folder(tmp_path: Path, shared_data: Path) -> Path:
    """One good DICOM slice, a truncated copy of it, and a PNG that is not a PNG."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    good = shared_data / "dicom_transfer_syntaxes" / "In" / "1.dcm"
    shutil.copyfile(good, folder / "good.dcm")
    data = good.read_bytes()
    (folder / "truncated.dcm").write_bytes(data[: len(data) // 2])
    (folder / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 20)
    return folder


def test_broken_files_are_listed_with_reasons(qtbot: QtBot, empty_project: Path,
                                              mixed_folder: Path) -> None:
    dialog = ImportDialog(empty_project)
    qtbot.addWidget(dialog)
    dialog.add_paths([mixed_folder])
    dialog.set_split("pool")
    with qtbot.waitSignal(dialog.imported, timeout=30_000):
        dialog.start()
    qtbot.waitUntil(lambda: dialog.worker is not None and not dialog.worker.is_running)
    assert dialog.report.imported == 1
    rows = dict(dialog.skipped_rows())
    assert set(map(lambda p: Path(p).name, rows)) == {"truncated.dcm", "garbage.png"}
    assert all(reason.strip() for reason in rows.values())
    assert dialog.skipped.isVisibleTo(dialog) and dialog.copy_button.isVisibleTo(dialog)
    assert "Imported 1 item" in dialog.message.text()
    dialog.copy_button.click()
    lines = QApplication.clipboard().text().splitlines()
    assert lines[0] == "path\treason"
    assert sorted(Path(line.split("\t")[0]).name for line in lines[1:]) == [
        "garbage.png", "truncated.dcm"]
    assert dialog.cancel_button.text() == "Close"
    with Project.open(empty_project) as project:
        assert project.count_items() == {"pool": 1, "test": 0}


def test_cancel_keeps_the_project_consistent(qtbot: QtBot, empty_project: Path,
                                             shared_data: Path) -> None:
    dialog = ImportDialog(empty_project)
    qtbot.addWidget(dialog)
    dialog.add_paths([shared_data / "dicom_mr_series"])
    dialog.start()
    dialog.cancel_button.click()
    assert dialog.worker.token.cancelled
    qtbot.waitUntil(lambda: dialog.worker.outcome is not None, timeout=30_000)
    qtbot.waitUntil(lambda: not dialog.worker.is_running)
    assert dialog.report is not None and dialog.report.cancelled
    assert "Cancelled" in dialog.message.text()
    with Project.open(empty_project) as project:
        assert project.count_items()["pool"] == dialog.report.imported


def test_imported_scans_join_the_queue(qtbot: QtBot, open_window, tmp_path: Path,
                                       empty_project: Path, mixed_folder: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window()
    assert window.open_project(empty_project)
    assert window.session.entries == []

    def run(cls, parent, project_path):
        dialog = cls(project_path, parent)
        dialog.add_paths([mixed_folder])
        with qtbot.waitSignal(dialog.imported, timeout=30_000):
            dialog.start()
        qtbot.waitUntil(lambda: not dialog.worker.is_running)
        return dialog.report

    monkeypatch.setattr(ImportDialog, "run", classmethod(run))
    with qtbot.waitSignal(window.labeling.item_shown, timeout=10_000):
        window.actions.import_scans.trigger()
    assert len(window.session.entries) == 1
    assert window.viewer.image() is not None
    assert window.viewer.image().modality == "MR"


def test_a_diffusion_mosaic_opens_as_a_volume_named_by_its_series(
        qtbot: QtBot, open_window, empty_project: Path, shared_data: Path) -> None:
    from alstudio.workflow.importer import import_paths

    folder = shared_data / "dicom_mr_series" / "HFS" / "4_ep2d_diff_mddw_20_p2"
    with Project.open(empty_project) as project:
        assert import_paths(project, [folder], "pool").imported == 13
    window = open_window(empty_project)
    assert window.viewer.slice_count() == 25  # tiles of the mosaic, not one contact sheet
    detail = window.label_panel.item_detail.text()
    assert "MR · 128×128×25" in detail and "ep2d_diff_mddw_20_p2" in detail
