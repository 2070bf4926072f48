"""import-labels on real project files: round trip, error rows with line numbers, idempotence."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from alstudio.cli import main
from alstudio.errors import AlstudioError
from alstudio.project import Project
from alstudio.workflow.import_labels import import_labels
from tests.workflow.project_factory import make_project


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def export_reads(project: Project) -> list[list[str]]:
    """The project's events as an import-labels CSV (what another tool might hand over)."""
    rows = [["item", "annotator", "label", "seconds", "role", "note"]]
    roles = {a.name: a.role for a in project.annotators()}
    for e in project.label_events():
        if not e.retracted:
            rows.append([str(e.item_id), e.annotator, e.class_name or e.decision,
                         "" if e.seconds_spent is None else str(e.seconds_spent),
                         roles[e.annotator], e.note or ""])
    return rows


def test_round_trip_between_projects(tmp_path: Path) -> None:
    source = make_project(tmp_path / "a.alstudio")
    with Project.open(source) as project:
        project.add_label(1, "dr_a", "normal", seconds_spent=3.5, note="clear")
        project.add_label(2, "dr_a", None, decision="unsure")
        project.add_label(2, "dr_b", "abnormal", seconds_spent=7.0)
        project.add_label(3, "dr_b", None, decision="skip")
        project.ensure_annotator("chief", "adjudicator")
        project.add_label(2, "chief", "abnormal")
        rows = export_reads(project)
        before = {(e.item_id, e.annotator, e.decision, e.class_name, e.seconds_spent, e.note)
                  for e in project.label_events()}
    target = make_project(tmp_path / "b.alstudio")
    with Project.open(target) as project:
        result = import_labels(project, write_csv(tmp_path / "reads.csv", rows))
        assert result.added == 5 and not result.skipped
        assert result.annotators_created == ["chief", "dr_a", "dr_b"]
        after = {(e.item_id, e.annotator, e.decision, e.class_name, e.seconds_spent, e.note)
                 for e in project.label_events()}
        assert after == before
        assert {a.name: a.role for a in project.annotators()}["chief"] == "adjudicator"
        assert project.current_labels()[2].consensus == "abnormal"
        assert project.audit_log()[-1]["action"] == "import-labels"


def test_items_by_relative_and_absolute_path_and_case_of_class(tmp_path: Path) -> None:
    root = tmp_path / "data"
    path = make_project(tmp_path / "p.alstudio", root=root)
    rows = [["Item", "Annotator", "Label"],
            ["scans/img0.png", "r1", "Normal"],
            [str(root / "scans" / "img1.png"), "r1", "abnormal"],
            ["scans/./img2.png", "r1", "skip"]]
    with Project.open(path) as project:
        result = import_labels(project, write_csv(tmp_path / "x.csv", rows))
        assert result.added == 3, result.skipped
        labels = project.current_labels()
        assert labels[1].by_annotator == {"r1": "normal"}
        assert labels[2].by_annotator == {"r1": "abnormal"}
        assert labels[3].by_annotator == {"r1": "skip"}


def test_error_rows_reported_with_line_numbers(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.alstudio")
    rows = [["item", "annotator", "label", "seconds", "role"],
            ["1", "r1", "normal", "2.0", ""],        # line 2: fine
            ["999", "r1", "normal", "", ""],         # line 3: no such item
            ["2", "r1", "fracture", "", ""],         # line 4: no such class
            ["scans/nowhere.png", "r1", "normal", "", ""],  # line 5: no such path
            ["3", "", "normal", "", ""],             # line 6: no annotator
            ["4", "r1", "normal", "fast", ""],       # line 7: seconds not a number
            ["5", "r2", "normal", "", "boss"],       # line 8: unknown role
            ["6", "r2", "abnormal", "", "adjudicator"]]  # line 9: fine
    with Project.open(path) as project:
        result = import_labels(project, write_csv(tmp_path / "x.csv", rows))
        assert result.added == 2
        assert [s["line"] for s in result.skipped] == [3, 4, 5, 6, 7, 8]
        reasons = [s["reason"] for s in result.skipped]
        assert "no item with id 999" in reasons[0]
        assert "no class 'fracture'" in reasons[1]
        assert "nowhere.png" in reasons[2]
        assert len(project.label_events()) == 2


def test_importing_twice_adds_nothing(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.alstudio")
    rows = [["item", "annotator", "label", "seconds"], ["1", "r1", "normal", "1.5"],
            ["2", "r1", "abnormal", ""], ["2", "r1", "abnormal", ""]]  # a repeated row
    csv_path = write_csv(tmp_path / "x.csv", rows)
    with Project.open(path) as project:
        first = import_labels(project, csv_path)
        assert (first.added, first.already_there) == (2, 1)
        second = import_labels(project, csv_path)
        assert (second.added, second.already_there) == (0, 3)
        assert len(project.label_events()) == 2
    # a longer file with the same rows first adds only the new row
    rows.append(["3", "r2", "normal", ""])
    with Project.open(path) as project:
        third = import_labels(project, write_csv(tmp_path / "y.csv", rows))
        assert third.added == 1 and len(project.label_events()) == 3


def test_missing_columns_refused(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.alstudio")
    with Project.open(path) as project, pytest.raises(AlstudioError, match="no column label"):
        import_labels(project, write_csv(tmp_path / "x.csv", [["item", "annotator"], ["1", "a"]]))


def test_cli_import_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make_project(tmp_path / "p.alstudio")
    csv_path = write_csv(tmp_path / "x.csv", [["item", "annotator", "label"],
                                              ["1", "r1", "normal"], ["77", "r1", "normal"]])
    assert main(["import-labels", str(path), str(csv_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["added"] == 1 and out["skipped"][0]["line"] == 3
    assert main(["import-labels", str(path), str(csv_path)]) == 0
    captured = capsys.readouterr()
    assert "0 read(s) added" in captured.out and f"{csv_path}:3: skipped" in captured.err
    assert main(["import-labels", str(path), str(tmp_path / "none.csv")]) == 1
