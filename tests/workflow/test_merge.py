"""Merging project files from two workstations: provenance, conflicts, idempotence, refusal."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from alstudio.cli import main
from alstudio.errors import AlstudioError
from alstudio.project import Project, QueueEntry
from alstudio.workflow.merge import merge_projects, parse_class_map
from tests.workflow.project_factory import make_project, new_item


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def by_hash(project: Project) -> dict[str, dict[str, str]]:
    """content hash -> each reader's standing decision: comparable across files."""
    hashes = {item.id: item.content_hash for item in project.items()}
    return {hashes[i]: s.by_annotator for i, s in project.current_labels().items()}


@pytest.fixture
def two_workstations(tmp_path: Path) -> tuple[Path, Path]:
    """A shared base copied to two workstations; each reader then labels on their own copy."""
    base = make_project(tmp_path / "base.alstudio", n_items=6)
    with Project.open(base) as project:
        project.add_label(1, "dr_a", "normal", seconds_spent=2.0)  # before the copy
    a, b = tmp_path / "ws_a.alstudio", tmp_path / "ws_b.alstudio"
    shutil.copyfile(base, a)
    shutil.copyfile(base, b)
    with Project.open(b) as project:
        project.set_meta("workstation_id", "b" * 32)
    with Project.open(a) as project:
        project.add_label(2, "dr_a", "abnormal", seconds_spent=4.0, note="mass")
        project.add_label(3, "dr_a", "normal")
        project.add_label(4, "dr_a", None, decision="skip")
        project.add_label(5, "dr_a", "normal")
        project.undo_last_label("dr_a")  # retracts item 5
    with Project.open(b) as project:
        project.add_items(project.dataset_root_id(tmp_path / "other"), [new_item(99)])
        project.add_label(2, "dr_b", "abnormal", seconds_spent=5.0)
        project.add_label(3, "dr_b", "abnormal")  # disagrees with dr_a
        project.add_label(7, "dr_b", "normal")  # the item only B has
    return a, b


def test_merge_keeps_provenance_and_finds_conflicts(two_workstations: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    a, b = two_workstations
    hashes_before = (digest(a), digest(b))
    out = tmp_path / "merged.alstudio"
    result = merge_projects([a, b], out)
    assert (digest(a), digest(b)) == hashes_before  # inputs untouched
    assert result.counts.items == 7 and result.counts.label_events == 8
    assert result.counts.retractions == 1
    with Project.open(out) as merged, Project.open(a) as pa:
        labels = merged.current_labels()
        conflict = [i for i, s in labels.items() if s.disagreement]
        assert len(conflict) == 1 and labels[conflict[0]].by_annotator == {
            "dr_a": "normal", "dr_b": "abnormal"}
        assert result.new_disagreements == conflict
        assert merged.item(conflict[0]).content_hash == "hash00002"
        # the read made before the copy exists once, with its original time
        events = merged.label_events()
        first = [e for e in events if e.note is None and e.annotator == "dr_a"
                 and e.class_name == "normal" and e.seconds_spent == 2.0]
        original = pa.label_events()[0]
        assert len(first) == 1 and first[0].submitted_at == original.submitted_at
        # every event records the workstation it was made on
        rows = dict(merged.db.execute(
            "SELECT a.name || ':' || e.item_id, e.workstation FROM label_events e "
            "JOIN annotators a ON a.id = e.annotator_id").fetchall())
        assert {ws for key, ws in rows.items() if key.startswith("dr_b")} == {"b" * 32}
        assert {ws for key, ws in rows.items() if key.startswith("dr_a")} == {pa.workstation_id}
        assert merged.workstation_id not in (pa.workstation_id, "b" * 32)
        assert "hash00005" not in by_hash(merged)  # dr_a's read of it was undone on A
        assert merged.audit_log()[-1]["action"] == "merge"


def test_merging_the_same_work_twice_adds_nothing(two_workstations: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    a, b = two_workstations
    once = tmp_path / "once.alstudio"
    merge_projects([a, b], once)
    twice = tmp_path / "twice.alstudio"
    again = merge_projects([once, b, a], twice)
    assert (again.counts.items, again.counts.label_events, again.counts.retractions) == (7, 8, 1)
    with Project.open(once) as p1, Project.open(twice) as p2:
        assert by_hash(p1) == by_hash(p2)
        assert len(p1.label_events()) == len(p2.label_events())
    self_merge = merge_projects([a, a], tmp_path / "self.alstudio")
    with Project.open(a) as pa:
        assert self_merge.counts.label_events == len(pa.label_events())
    with pytest.raises(AlstudioError, match="already exists"):
        merge_projects([a, b], once)


def test_rounds_and_checkpoints_keep_provenance(tmp_path: Path) -> None:
    a = make_project(tmp_path / "a.alstudio", n_items=4)
    b = make_project(tmp_path / "b.alstudio", n_items=4, first=2)  # hash2..5: ids differ
    for path, digest_text in ((a, "d-a"), (b, "d-b")):
        with Project.open(path) as project:
            project.save_round(
                strategy="random", params={}, seed=0, labels_used=0, metrics={},
                queue=[QueueEntry(item_id=2, rank=0, score=0.5, reason="r")],
                started_at="2026-01-01T00:00:00.000Z",
                checkpoint={"architecture": "small_cnn", "digest": digest_text,
                            "weights": b"\x00" * 8})
    out = tmp_path / "m.alstudio"
    result = merge_projects([a, b], out)
    assert result.counts.rounds == 2 and result.counts.checkpoints == 2
    assert result.counts.items == 6
    with Project.open(out) as merged, Project.open(b) as pb:
        rows = merged.db.execute(
            "SELECT number, origin_number, workstation FROM rounds ORDER BY number").fetchall()
        assert [r[:2] for r in rows] == [(1, 1), (2, 1)]
        assert rows[1][2] == pb.workstation_id
        queued = merged.queue(merged.rounds()[1].id)
        assert [merged.item(e.item_id).content_hash for e in queued] == ["hash00003"]
        assert merged.checkpoint(merged.rounds()[1].checkpoint_id).digest == "d-b"
    assert merge_projects([out, a], tmp_path / "m2.alstudio").counts.rounds == 2


def test_adjudication_reasons_and_read_requests_come_along(two_workstations: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    a, b = two_workstations
    with Project.open(b) as project:
        project.ensure_annotator("chief", "adjudicator")
        project.add_label(3, "chief", "abnormal", reason="reader error")
        project.request_reads([4], reads=2)
    out = tmp_path / "m.alstudio"
    result = merge_projects([a, b], out)
    assert result.counts.read_requests == 1
    with Project.open(out) as merged:
        chief = [e for e in merged.label_events() if e.annotator == "chief"]
        assert [e.reason for e in chief] == ["reader error"]
        assert merged.planned_reads() == {merged.items()[3].id: 2}
    assert merge_projects([out, b], tmp_path / "m2.alstudio").counts.read_requests == 1


def test_different_classes_refused_unless_mapped(tmp_path: Path) -> None:
    a = make_project(tmp_path / "a.alstudio", classes=("normal", "abnormal"))
    b = make_project(tmp_path / "b.alstudio", classes=("normal", "lesion"))
    with Project.open(b) as project:
        project.add_label(1, "dr_b", "lesion")
    out = tmp_path / "m.alstudio"
    with pytest.raises(AlstudioError, match="different classes"):
        merge_projects([a, b], out)
    assert not out.exists()
    with pytest.raises(AlstudioError, match="not OLD=NEW"):
        parse_class_map(["lesion"])
    with pytest.raises(AlstudioError, match="different classes"):
        merge_projects([a, b], out, {"lesion": "tumour"})
    merge_projects([a, b], out, parse_class_map(["lesion=abnormal"]))
    with Project.open(out) as merged:
        assert merged.class_names() == ["normal", "abnormal"]
        assert merged.current_labels()[1].by_annotator == {"dr_b": "abnormal"}


def test_cli_merge(two_workstations: tuple[Path, Path], tmp_path: Path,
                   capsys: pytest.CaptureFixture[str]) -> None:
    a, b = two_workstations
    out = tmp_path / "cli.alstudio"
    assert main(["merge", str(a), str(b), "-o", str(out), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["added"]["label_events"] == 8 and len(payload["new_disagreements"]) == 1
    assert main(["merge", str(a), str(b), "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
