"""CSV and JSON exports read back by pandas and json; the manifest; safe writing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from alstudio.errors import AlstudioError, Cancelled
from alstudio.export import ExportOptions
from alstudio.jobs import CancelToken, Progress
from alstudio.project import Project
from alstudio.workflow.export import run_export
from tests.export.conftest import item_by_name


def test_csv_reads_in_pandas_with_every_status_and_reader(labeled_project: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "csv"
    report = run_export(labeled_project, out, ExportOptions("csv", include_unlabeled=True))
    frame = pd.read_csv(out / "labels.csv")
    with Project.open(labeled_project) as project:
        assert len(frame) == len(project.items())
        ct, deep = item_by_name(project, "CT_small.dcm"), item_by_name(project, "deep16.png")
        p0, p1 = item_by_name(project, "plain0.png"), item_by_name(project, "plain1.png")
        p2, p3 = item_by_name(project, "plain2.png"), item_by_name(project, "plain3.png")
    rows = frame.set_index("item_id")
    assert rows.loc[ct, "status"] == "labeled"
    assert rows.loc[ct, "label"] == "abnormal"
    assert rows.loc[ct, "label_source"] == "agreed"
    assert rows.loc[ct, "reader.dr_b.seconds"] == pytest.approx(6.0)
    assert rows.loc[deep, "label_source"] == "adjudicated"
    assert rows.loc[deep, "reader.dr_b.label"] == "normal"
    assert rows.loc[deep, "reader.chief.label"] == "abnormal"
    assert rows.loc[p0, "status"] == "disagreement"
    assert pd.isna(rows.loc[p0, "label"])
    assert rows.loc[p1, "status"] == "skipped"
    assert rows.loc[p2, "status"] == "unsure"
    assert rows.loc[p3, "status"] == "unlabeled"
    assert rows.loc[item_by_name_frame(frame, "MR_small.dcm"), "label_source"] == "single"
    assert set(frame["split"]) == {"pool", "test"}
    assert frame["content_hash"].str.len().min() >= 16
    assert report.counts["status"]["unlabeled"] == 1


def item_by_name_frame(frame: pd.DataFrame, path: str) -> int:
    return int(frame.loc[frame["path"].str.endswith(path), "item_id"].iloc[0])


def test_json_layout_and_unlabeled_left_out_by_default(labeled_project: Path,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "json"
    run_export(labeled_project, out, ExportOptions("json", split="pool"))
    data = json.loads((out / "labels.json").read_text())
    assert data["layout"] == "alstudio-labels"
    assert data["classes"] == ["normal", "abnormal"]
    assert data["readers"] == ["chief", "dr_a", "dr_b"]
    statuses = {item["status"] for item in data["items"]}
    assert "unlabeled" not in statuses
    assert {item["split"] for item in data["items"]} == {"pool"}
    deep = next(i for i in data["items"] if i["path"].endswith("deep16.png"))
    assert deep["readers"]["dr_a"] == {"label": "abnormal", "seconds": 1.5}
    assert deep["label"] == "abnormal" and deep["label_source"] == "adjudicated"
    assert set(deep) >= {"item_id", "path", "content_hash", "adjudication_reason",
                         "queued_in_round", "probabilities"}


def test_manifest_hashes_every_file(labeled_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    run_export(labeled_project, out, ExportOptions("csv"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["project"] == "study"
    assert manifest["alstudio_version"]
    assert manifest["created_at"]
    assert manifest["counts"]["class"] == {"abnormal": 2, "normal": 3}
    assert manifest["counts"]["status"]["disagreement"] == 1
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in out.iterdir()) == ["labels.csv", "manifest.json"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_refuses_non_empty_folder_unless_forced(labeled_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(AlstudioError, match="not empty"):
        run_export(labeled_project, out, ExportOptions("csv"))
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    run_export(labeled_project, out, ExportOptions("csv", force=True))
    assert (out / "labels.csv").exists() and (out / "notes.txt").read_text() == "mine"


def test_cancel_leaves_no_manifest_and_no_files(labeled_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "cancelled"
    token = CancelToken()
    steps: list[Progress] = []

    def progress(step: Progress) -> None:
        steps.append(step)
        if step.phase == "images":
            token.cancel()

    with pytest.raises(Cancelled):
        run_export(labeled_project, out, ExportOptions("folders"), progress=progress,
                   cancel=token)
    assert steps
    assert not out.exists() or not any(out.iterdir())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cancelled")]


def test_bad_options_are_user_errors(labeled_project: Path, tmp_path: Path) -> None:
    with pytest.raises(AlstudioError, match="val-fraction"):
        run_export(labeled_project, tmp_path / "x", ExportOptions("monai", val_fraction=1.5))
    with pytest.raises(AlstudioError, match="Unknown export format"):
        run_export(labeled_project, tmp_path / "x", ExportOptions("xml"))


def test_missing_files_are_excluded_and_split_filters(labeled_project: Path,
                                                      tmp_path: Path) -> None:
    (tmp_path / "scans" / "png" / "plain3.png").unlink()  # an unlabeled item's scan is gone
    (tmp_path / "scans" / "dicom" / "MR_small.dcm").unlink()  # a labeled one's too
    report = run_export(labeled_project, tmp_path / "x", ExportOptions("csv"))
    frame = pd.read_csv(tmp_path / "x" / "labels.csv")
    statuses = dict(zip(frame["path"].str.rsplit("/", n=1).str[-1], frame["status"],
                        strict=True))
    assert statuses["MR_small.dcm"] == "excluded" and statuses["plain3.png"] == "excluded"
    assert report.counts["status"]["excluded"] == 2
    folders = run_export(labeled_project, tmp_path / "f", ExportOptions("folders"))
    assert folders.items_written == 4
    test_only = run_export(labeled_project, tmp_path / "t", ExportOptions("json", split="test"))
    assert test_only.items_written == 1


def test_streamed_json_is_the_document_json_dumps_writes(labeled_project: Path,
                                                         tmp_path: Path) -> None:
    """Written item by item, the file is byte for byte the whole document's json.dumps."""
    from alstudio.export import ExportWriter, build_rows, export_json
    from alstudio.export.table import JSON_LAYOUT_VERSION, row_as_json

    with Project.open(labeled_project) as project:
        every = build_rows(project, include_unlabeled=True)
        classes, name = project.class_names(), project.name
    assert len(every) > 2
    for n, rows in enumerate((every, [])):
        writer = ExportWriter(tmp_path / f"json-{n}")
        export_json(rows, writer, project_name=name, classes=classes)
        expected = json.dumps({
            "layout": "alstudio-labels", "layout_version": JSON_LAYOUT_VERSION,
            "project": name, "classes": classes,
            "readers": sorted({r for row in rows for r in row.readers}),
            "items": [row_as_json(row) for row in rows]}, indent=2, ensure_ascii=False)
        assert writer.path("labels.json").read_text(encoding="utf-8") == expected + "\n"
        writer.abort()


def test_image_formats_read_only_labeled_items(labeled_project: Path) -> None:
    """Rows for ("labeled",) come from the labeled items alone, in item order, and match
    the rows that reading every item gives."""
    from alstudio.export import build_rows

    with Project.open(labeled_project) as project:
        every = [r for r in build_rows(project, include_unlabeled=True)
                 if r.status == "labeled"]
        labeled = build_rows(project, statuses=("labeled",))
    assert labeled and [r.item_id for r in labeled] == [r.item_id for r in every]
    assert labeled == every
