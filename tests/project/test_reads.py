"""Reads, provenance columns and suspected label errors in the project file itself."""

from __future__ import annotations

from pathlib import Path

from alstudio.project import ImportedRead, Project
from alstudio.project.reads import agreed_labels
from tests.project.test_schema import write_v1_project


def test_an_old_file_gets_a_workstation_id_and_keeps_its_reads(tmp_path: Path) -> None:
    path = tmp_path / "old.alstudio"
    write_v1_project(path)
    with Project.open(path) as project:
        assert len(project.workstation_id) == 32
        (read,) = project.standing_reads()
        assert (read.item_id, read.annotator, read.class_name) == (1, "dr_a", "normal")
        row = project.db.execute("SELECT workstation, origin FROM label_events").fetchone()
        assert row == (None, None)  # made here
        assert project.suspected_label_errors() == []
        workstation = project.workstation_id
    with Project.open(path) as again:  # the id is written once, not per opening
        assert again.workstation_id == workstation


def test_new_projects_have_their_own_workstation(stocked: Project, tmp_path: Path) -> None:
    with Project.create(tmp_path / "other.alstudio", ["a", "b"]) as other:
        assert other.workstation_id != stocked.workstation_id


def test_standing_reads_follow_undo_and_the_latest_read(stocked: Project) -> None:
    stocked.add_label(1, "dr_a", "normal", seconds_spent=2.0)
    stocked.add_label(1, "dr_a", "abnormal", seconds_spent=3.0)
    stocked.add_label(2, "dr_a", None, decision="unsure")
    stocked.add_label(3, "dr_a", "normal")
    stocked.undo_last_label("dr_a")
    reads = {r.item_id: r for r in stocked.standing_reads()}
    assert set(reads) == {1, 2}
    assert reads[1].class_name == "abnormal" and reads[1].seconds_spent == 3.0
    assert reads[2].decision == "unsure" and reads[2].class_name is None


def test_imported_reads_with_the_same_origin_land_once(stocked: Project) -> None:
    read = ImportedRead(item_id=1, annotator="dr_x", decision="label", class_name="normal",
                        seconds_spent=None, note=None, origin="csv:abc")
    assert stocked.add_imported_reads([read, read], {"dr_x": "adjudicator"}) == 1
    assert stocked.add_imported_reads([read]) == 0
    assert {a.name: a.role for a in stocked.annotators()}["dr_x"] == "adjudicator"
    assert stocked.known_origins() == {"csv:abc"}


def test_agreed_labels_match_current_labels(stocked: Project) -> None:
    stocked.add_label(1, "dr_a", "normal")
    stocked.add_label(1, "dr_b", "abnormal")
    stocked.add_label(2, "dr_a", "normal")
    stocked.add_label(2, "dr_b", None, decision="skip")
    stocked.ensure_annotator("chief", "adjudicator")
    stocked.add_label(3, "dr_a", "normal")
    stocked.add_label(3, "chief", "abnormal")
    expected = {i: s.consensus for i, s in stocked.current_labels().items() if s.consensus}
    assert agreed_labels(stocked.standing_reads()) == expected == {2: "normal", 3: "abnormal"}
