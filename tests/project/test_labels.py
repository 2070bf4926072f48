"""Label events are append-only; current labels, undo and statistics are queries over them."""

from __future__ import annotations

import pytest

from alstudio.errors import ProjectError
from alstudio.project import Project


def test_label_then_relabel_keeps_history(stocked: Project) -> None:
    stocked.add_label(1, "dr_a", "normal", seconds_spent=2.0)
    stocked.add_label(1, "dr_a", "abnormal", seconds_spent=3.5, note="mass, upper outer")
    assert stocked.current_labels()[1].consensus == "abnormal"
    history = stocked.label_history(1)
    assert [e.class_name for e in history] == ["normal", "abnormal"]
    assert history[1].note == "mass, upper outer"
    assert stocked.db.execute("SELECT COUNT(*) FROM label_events").fetchone()[0] == 2


def test_undo_retracts_without_deleting(stocked: Project) -> None:
    stocked.add_label(1, "dr_a", "normal")
    stocked.add_label(2, "dr_a", "abnormal")
    undone = stocked.undo_last_label("dr_a")
    assert undone is not None and undone.item_id == 2
    assert 2 not in stocked.current_labels()
    assert stocked.label_history(2)[0].retracted
    assert stocked.undo_last_label("dr_a").item_id == 1
    assert stocked.undo_last_label("dr_a") is None
    assert stocked.db.execute("SELECT COUNT(*) FROM label_events").fetchone()[0] == 2


def test_undo_after_relabel_restores_previous_label(stocked: Project) -> None:
    stocked.add_label(1, "dr_a", "normal")
    stocked.add_label(1, "dr_a", "abnormal")
    stocked.undo_last_label("dr_a")
    assert stocked.current_labels()[1].consensus == "normal"


def test_disagreement_and_adjudication(stocked: Project) -> None:
    stocked.add_label(3, "dr_a", "normal")
    stocked.add_label(3, "dr_b", "abnormal")
    state = stocked.current_labels()[3]
    assert state.disagreement and state.consensus is None
    assert stocked.label_counts()["disagreement"] == 1
    assert 3 not in stocked.training_labels()
    stocked.ensure_annotator("dr_chief", role="adjudicator")
    stocked.add_label(3, "dr_chief", "abnormal")
    state = stocked.current_labels()[3]
    assert state.consensus == "abnormal"
    assert stocked.training_labels()[3] == "abnormal"


def test_skip_and_unsure_are_not_training_labels(stocked: Project) -> None:
    stocked.add_label(1, "dr_a", decision="skip")
    stocked.add_label(2, "dr_a", decision="unsure", note="motion artefact")
    stocked.add_label(3, "dr_a", "normal")
    counts = stocked.label_counts()
    assert counts["skip"] == 1 and counts["unsure"] == 1 and counts["normal"] == 1
    assert stocked.training_labels() == {3: "normal"}


def test_test_items_never_become_training_labels(stocked: Project) -> None:
    test_id = stocked.item_ids("test")[0]
    stocked.add_label(test_id, "dr_a", "normal")
    assert test_id not in stocked.training_labels()


def test_time_statistics(stocked: Project) -> None:
    for item_id, seconds in ((1, 2.0), (2, 4.0), (3, 9.0)):
        stocked.add_label(item_id, "dr_a", "normal", seconds_spent=seconds)
    stats = stocked.time_statistics()["dr_a"]
    assert stats == {"labels": 3, "total_s": 15.0, "median_s": 4.0}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"class_name": "tumour"}, "No class 'tumour'"),
        ({"class_name": None}, "needs a class"),
        ({"class_name": "normal", "decision": "skip"}, "take none"),
        ({"class_name": "normal", "decision": "maybe"}, "Unknown decision"),
    ],
)
def test_bad_labels_are_refused(stocked: Project, kwargs: dict, message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        stocked.add_label(1, "dr_a", **kwargs)


def test_unknown_item_is_refused(stocked: Project) -> None:
    with pytest.raises(ProjectError, match="No item 999"):
        stocked.add_label(999, "dr_a", "normal")


def test_label_source_says_where_the_consensus_came_from(stocked: Project) -> None:
    stocked.add_label(1, "dr_a", "normal")
    stocked.add_label(2, "dr_a", "abnormal")
    stocked.add_label(2, "dr_b", "abnormal")
    stocked.add_label(3, "dr_a", "normal")
    stocked.add_label(3, "dr_b", "abnormal")
    labels = stocked.current_labels()
    assert labels[1].source == "single" and labels[2].source == "agreed"
    assert labels[3].source == "none" and labels[3].adjudication_reason is None
    stocked.ensure_annotator("dr_chief", role="adjudicator")
    stocked.add_label(3, "dr_chief", "abnormal")
    assert stocked.current_labels()[3].source == "adjudicated"
