"""Which label training uses: adjudicated, else agreed; 'all' or 'majority' of the readers."""

from __future__ import annotations

import pytest

from alstudio.errors import ProjectError
from alstudio.project import Project
from alstudio.project.consensus import Standing, resolve
from alstudio.project.readers import plan_second_reads, required_reads


def _reads(stocked: Project, item_id: int, *classes: str) -> None:
    for n, name in enumerate(classes):
        stocked.add_label(item_id, f"reader{n}", name)


@pytest.fixture
def study(stocked: Project) -> Project:
    """Pool items: 1 single, 2 agreed, 3 a 2-1 majority, 4 a 1-1 tie, 5 a tie adjudicated."""
    _reads(stocked, 1, "normal")
    _reads(stocked, 2, "abnormal", "abnormal")
    _reads(stocked, 3, "abnormal", "abnormal", "normal")
    _reads(stocked, 4, "normal", "abnormal")
    _reads(stocked, 5, "normal", "abnormal")
    stocked.set_annotator_role("dr_chief", "adjudicator")
    stocked.add_label(5, "dr_chief", "normal", reason="ambiguous image")
    return stocked


def test_all_readers_agree_is_the_default(study: Project) -> None:
    labels = study.current_labels()
    assert {i: (s.consensus, s.source) for i, s in labels.items()} == {
        1: ("normal", "single"), 2: ("abnormal", "agreed"), 3: (None, "none"),
        4: (None, "none"), 5: ("normal", "adjudicated")}
    assert labels[5].adjudication_reason == "ambiguous image"
    assert labels[5].disagreement and labels[3].disagreement and not labels[2].disagreement
    assert study.training_labels() == {1: "normal", 2: "abnormal", 5: "normal"}
    assert study.left_out_of_training() == 2  # the 2-1 split and the tie


def test_majority_takes_the_two_to_one_but_not_the_tie(study: Project) -> None:
    study.set_reading_settings(consensus="majority")
    labels = study.current_labels()
    assert (labels[3].consensus, labels[3].source) == ("abnormal", "majority")
    assert labels[4].consensus is None
    assert study.training_labels() == {1: "normal", 2: "abnormal", 3: "abnormal", 5: "normal"}
    assert study.left_out_of_training() == 1
    counts = study.label_counts()
    assert (counts["abnormal"], counts["normal"], counts["disagreement"]) == (2, 2, 1)


def test_skip_and_unsure_neither_agree_nor_disagree() -> None:
    standings = [Standing(1, "a", "annotator", "normal"), Standing(2, "b", "annotator", "skip"),
                 Standing(3, "c", "annotator", "unsure")]
    outcome = resolve(standings)
    assert (outcome.consensus, outcome.source, outcome.disagreement) == ("normal", "single",
                                                                         False)
    assert resolve([Standing(1, "a", "annotator", "skip")]).source == "none"


def test_the_latest_adjudication_wins() -> None:
    standings = [Standing(5, "chief2", "adjudicator", "b", "reader error"),
                 Standing(1, "a", "annotator", "a"), Standing(2, "b", "annotator", "b"),
                 Standing(3, "chief1", "adjudicator", "a", "other: x")]
    outcome = resolve(standings)
    assert (outcome.consensus, outcome.adjudication_reason) == ("b", "reader error")


def test_settings_are_checked_and_audited(project: Project) -> None:
    with pytest.raises(ProjectError):
        project.set_reading_settings(second_read_fraction=1.5)
    with pytest.raises(ProjectError):
        project.set_reading_settings(consensus="most")
    project.set_reading_settings(second_read_fraction=0.2, third_read_ties=True,
                                 consensus="majority")
    settings = project.reading_settings()
    assert (settings.second_read_fraction, settings.third_read_ties, settings.consensus) == (
        0.2, True, "majority")
    assert project.audit_log()[-1]["action"] == "settings"


def test_second_read_sample_is_seeded_and_takes_the_extra_ids() -> None:
    queue = list(range(100, 150))
    first = plan_second_reads(queue, 0.2, seed=7)
    assert first == plan_second_reads(queue, 0.2, seed=7)
    assert len(first) == 10 and set(first) <= set(queue)
    assert first != plan_second_reads(queue, 0.2, seed=8)
    assert plan_second_reads(queue, 0.0, seed=7) == []
    assert len(plan_second_reads(queue[:3], 0.1, seed=7)) == 1  # any fraction reads one
    with_extra = plan_second_reads(queue, 0.0, seed=7, extra=[5, 6, 5])
    assert with_extra == [5, 6]


def test_a_third_read_only_for_a_tie_when_asked() -> None:
    assert required_reads(2, ["a", "b"], third_read_ties=True) == 3
    assert required_reads(2, ["a", "b"], third_read_ties=False) == 2
    assert required_reads(2, ["a", "a"], third_read_ties=True) == 2
    assert required_reads(1, ["a"], third_read_ties=True) == 1


def test_round_sends_extra_items_for_a_second_read(stocked: Project) -> None:
    from alstudio.project import QueueEntry

    stocked.add_label(6, "dr_a", "normal")  # labeled earlier: a suspected label error
    stocked.save_round(strategy="random", params={}, seed=3, labels_used=1, metrics={},
                       queue=[QueueEntry(item_id=i, rank=i, score=None, reason="")
                              for i in (1, 2, 3)], started_at="2026-01-01T00:00:00Z",
                       second_reads=[6], second_reads_why="suspected label error")
    assert stocked.planned_reads() == {6: 2}  # fraction 0: only the extra item
    assert stocked.read_reasons() == {6: "suspected label error"}
    assert stocked.request_reads([6, 1]) == 1  # 6 was asked already
    assert stocked.planned_reads() == {6: 2, 1: 2}


def test_an_old_project_migrates_to_readers(tmp_path) -> None:
    from tests.project.test_schema import write_v1_project

    path = tmp_path / "old.alstudio"
    write_v1_project(path)
    with Project.open(path) as project:
        assert "reason" in project.db["label_events"].columns_dict
        assert "read_requests" in project.db.table_names()
        state = project.current_labels()[1]
        assert (state.consensus, state.source, state.adjudication_reason) == (
            "normal", "single", None)
        assert project.reading_settings().consensus == "all"
        assert project.planned_reads() == {}
