"""The headless labeling session: the one set of rules the CLI and the window share."""

from __future__ import annotations

import pytest

from alstudio.errors import ProjectError
from alstudio.project import Project, QueueEntry
from alstudio.project.session import LabelingSession, parse_choice, parse_reason


def _round(project: Project, ids: list[int]) -> None:
    project.save_round(strategy="random", params={}, seed=0, labels_used=0, metrics={},
                       queue=[QueueEntry(item_id=i, rank=n, score=0.5, reason="random")
                              for n, i in enumerate(ids)], started_at="2026-01-01T00:00:00Z")


@pytest.mark.parametrize(("text", "expected"), [
    ("normal", "normal"), ("NORMAL", "normal"), (" Abnormal ", "abnormal"), ("1", "normal"),
    ("2", "abnormal"), ("Skip", "skip"), ("UNSURE", "unsure"),
])
def test_one_rule_for_class_or_decision(project: Project, text: str, expected: str) -> None:
    assert parse_choice(text, project.classes()) == expected


@pytest.mark.parametrize("text", ["3", "tumour", "", "label"])
def test_unknown_choice_names_the_classes(project: Project, text: str) -> None:
    with pytest.raises(ProjectError, match="No class") as err:
        parse_choice(text, project.classes())
    assert "1=normal, 2=abnormal" in str(err.value)


@pytest.mark.parametrize(("text", "stored"), [
    ("reader error", "reader error"), ("Ambiguous_Image", "ambiguous image"),
    ("guideline-clarified: see v2", "guideline clarified: see v2"),
    ("other: view is cropped", "other: view is cropped"),
])
def test_adjudication_reasons(text: str, stored: str) -> None:
    assert parse_reason(text) == stored


@pytest.mark.parametrize("text", ["other", "other:  ", "tired"])
def test_bad_adjudication_reasons_are_refused(text: str) -> None:
    with pytest.raises(ProjectError):
        parse_reason(text)


def test_listeners_hear_each_change_once_it_is_read_back(stocked: Project) -> None:
    """A front end learns of a give or an undo from the session itself, never by a wrapper."""
    session = LabelingSession(stocked, "dr_a")
    heard: list[tuple[int, str | None]] = []
    session.listeners.append(lambda item_id: heard.append((item_id, session.status(item_id))))
    first = session.next_unlabeled(None)
    session.give(first, "dr_a", "2")
    session.undo()
    with pytest.raises(ProjectError):
        session.give(first, "dr_a", "no such class")  # refused: nothing changed, no call
    assert heard == [(first, "abnormal"), (first, None)]


def test_give_undo_and_next_unlabeled(stocked: Project) -> None:
    session = LabelingSession(stocked, "dr_a")
    assert session.queue_ids() == stocked.item_ids("pool")  # before a round: import order
    first = session.next_unlabeled(None)
    session.give(first, "dr_a", "ABNORMAL", 2.5, " upper outer ")
    assert session.status(first) == "abnormal"
    assert session.labeled_items() == 1
    assert session.next_unlabeled(first) == first + 1
    event = stocked.label_history(first)[0]
    assert (event.note, event.seconds_spent) == ("upper outer", 2.5)
    session.give(first + 1, "dr_a", "skip")
    assert session.labeled_items() == 1  # skip is not a label
    assert session.undo().item_id == first + 1
    assert session.status(first + 1) is None
    assert session.next_unlabeled(first) == first + 1


def test_budget_is_stored_in_the_project(stocked: Project) -> None:
    session = LabelingSession(stocked, "dr_a")
    assert session.budget() is None
    session.set_budget(40)
    assert LabelingSession(stocked, "dr_b").budget() == 40


def test_nothing_is_written_for_a_refused_label(stocked: Project) -> None:
    session = LabelingSession(stocked, "dr_new")
    for item, choice in ((999, "normal"), (1, "tumour")):
        with pytest.raises(ProjectError):
            session.give(item, "dr_new", choice)
    assert "dr_new" not in [a.name for a in stocked.annotators()]
    assert stocked.label_events() == []


def test_a_key_press_reads_one_item_back(stocked: Project) -> None:
    """After the session is open, a give reads only that item (no full label query)."""
    session = LabelingSession(stocked, "dr_a")
    statements: list[str] = []
    stocked.db.conn.set_trace_callback(statements.append)
    try:
        session.give(2, "dr_a", "normal")
    finally:
        stocked.db.conn.set_trace_callback(None)
    latest = [s for s in statements if "GROUP BY e2.item_id, e2.annotator_id" in s]
    assert latest and all("e2.item_id = " in s for s in latest)


def test_readers_are_blind_to_each_other_until_adjudicated(stocked: Project) -> None:
    stocked.set_annotator_role("dr_chief", "adjudicator")
    a, b = LabelingSession(stocked, "dr_a"), LabelingSession(stocked, "dr_b")
    a.give(3, "dr_a", "normal", 3.0, "looks fine")
    b.give(3, "dr_b", "abnormal", 5.0, "spiculated")
    b.reload_queue()
    assert b.status(3) == "abnormal"  # only the reader's own label
    assert b.disagreements() == [] and not b.may_see_readings(3)
    with pytest.raises(ProjectError, match="hidden"):
        b.readings(3)
    chief = LabelingSession(stocked, "dr_chief")
    assert chief.can_adjudicate and chief.disagreements() == [3]
    seen = {r.annotator: (r.choice, r.note, r.seconds_spent) for r in chief.readings(3)}
    assert seen == {"dr_a": ("normal", "looks fine", 3.0),
                    "dr_b": ("abnormal", "spiculated", 5.0)}
    with pytest.raises(ProjectError, match="needs a reason"):
        chief.give(3, "dr_chief", "abnormal")
    with pytest.raises(ProjectError, match="not an adjudicator"):
        b.give(3, "dr_b", "abnormal", reason="reader error")
    chief.give(3, "dr_chief", "2", 7.0, reason="reader error")
    state = stocked.current_labels()[3]
    assert (state.consensus, state.source, state.adjudication_reason) == (
        "abnormal", "adjudicated", "reader error")
    assert stocked.audit_log()[-1]["action"] == "adjudicate"
    assert chief.disagreements() == [3]  # still listed, now settled
    b.reload_queue()
    assert b.may_see_readings(3)


def test_each_reader_queue_shows_what_they_still_have_to_read(stocked: Project) -> None:
    stocked.set_reading_settings(second_read_fraction=0.5)
    pool = stocked.item_ids("pool")[:4]
    _round(stocked, pool)
    planned = stocked.planned_reads()
    assert len(planned) == 2 and set(planned) <= set(pool)
    a = LabelingSession(stocked, "dr_a")
    for item_id in a.queue_ids():
        a.give(item_id, "dr_a", "normal")
    b = LabelingSession(stocked, "dr_b")
    assert sorted(b.queue_ids()) == sorted(planned)  # the single reads are done
    double = b.queue_ids()[0]
    assert b.read_note(double).startswith("Second read: 1 other reader")
    assert "normal" not in b.read_note(double)
    single = next(i for i in pool if i not in planned)
    assert a.read_note(single) is None


def test_a_tie_goes_to_a_third_reader(stocked: Project) -> None:
    stocked.set_reading_settings(second_read_fraction=1.0, third_read_ties=True)
    _round(stocked, [1, 2])
    LabelingSession(stocked, "dr_a").give(1, "dr_a", "normal")
    LabelingSession(stocked, "dr_b").give(1, "dr_b", "abnormal")
    LabelingSession(stocked, "dr_a").give(2, "dr_a", "normal")
    LabelingSession(stocked, "dr_b").give(2, "dr_b", "normal")
    c = LabelingSession(stocked, "dr_c")
    assert c.queue_ids() == [1]
    assert c.read_note(1).startswith("Third read to break a tie: 2 other readers")
    c.give(1, "dr_c", "abnormal")
    stocked.set_reading_settings(consensus="majority")
    state = stocked.current_labels()[1]
    assert (state.consensus, state.source) == ("abnormal", "majority")
