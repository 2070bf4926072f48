"""Suspected label errors: confident learning on synthetic probabilities, storage in a real
project file, and the whole check (cross-validated real model) on the demo project."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from alstudio.cli import main
from alstudio.errors import AlstudioError, Cancelled
from alstudio.evaluation.label_errors import find_suspects
from alstudio.jobs import CancelToken, Progress
from alstudio.learning.crossval import stratified_folds
from alstudio.project import Project
from alstudio.workflow.label_errors import LabelCheckConfig, check_labels
from tests.workflow.project_factory import make_project


def test_confident_contradictions_are_found_and_uncertainty_is_not() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    probs = np.full((300, 3), 0.05)
    probs[np.arange(300), y] = 0.9
    flipped = np.arange(0, 300, 20)  # 15 labels the confident model contradicts
    given = y.copy()
    given[flipped] = (y[flipped] + 1) % 3
    probs[:10] = 1 / 3  # and 10 items the model has no idea about
    found = find_suspects(given, probs)
    assert {s.index for s in found} == set(flipped) - set(range(10))
    assert all(s.likely == y[s.index] and s.given == given[s.index] for s in found)
    assert all(s.score < 0.1 for s in found)
    assert find_suspects(y, probs) == []


def test_stratified_folds_deal_every_class_to_every_fold() -> None:
    y = np.array([0] * 7 + [1] * 3)
    fold = stratified_folds(y, 3, seed=1)
    for k in range(3):
        assert set(y[fold == k]) == {0, 1}
    np.testing.assert_array_equal(fold, stratified_folds(y, 3, seed=1))


def test_stored_suspects_drop_out_once_relabeled(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.alstudio", n_items=4)
    with Project.open(path) as project:
        for item in (1, 2, 3):
            project.add_label(item, "dr_a", "normal")
        run = project.save_label_error_run(round_id=None, checked=3, params={"folds": 3},
                                           errors=[(1, "normal", [0.1, 0.9], 0.1),
                                                   (2, "normal", [0.3, 0.7], 0.3)])
        assert [s.item_id for s in project.suspected_label_errors()] == [1, 2]
        assert project.suspected_label_errors()[0].probs == (0.1, 0.9)
        project.add_label(1, "dr_a", "abnormal")  # a second look changed the label
        assert [s.item_id for s in project.suspected_label_errors()] == [2]
        assert len(project.suspected_label_errors(still_standing=False)) == 2
        assert project.latest_label_error_run()["id"] == run
        # nothing was relabeled by the check itself
        assert [e.class_name for e in project.label_events()] == ["normal"] * 3 + ["abnormal"]


def test_cli_shows_the_stored_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make_project(tmp_path / "p.alstudio", n_items=3)
    with Project.open(path) as project:
        project.add_label(2, "dr_a", "normal")
        project.save_label_error_run(round_id=None, checked=1, params={},
                                     errors=[(2, "normal", [0.08, 0.92], 0.08)])
    assert main(["label-errors", str(path), "--show"]) == 0
    out = capsys.readouterr().out
    assert "1 suspected label error(s) among 1 checked" in out
    assert "item 2" in out and "model says 'abnormal'" in out and "0.08, 0.92" in out
    assert main(["label-errors", str(path), "--show", "--second-read"]) == 0
    assert "1 item(s) sent for a second read" in capsys.readouterr().out
    with Project.open(path) as project:
        assert project.planned_reads() == {2: 2}
        assert project.current_labels()[2].by_annotator == {"dr_a": "normal"}  # unchanged


def label_demo(path: Path, n: int, flip: int) -> list[int]:
    """Label the first ``n`` pool items from the reference, ``flip`` of them (evenly spread)
    wrongly; returns the wrongly labeled ids."""
    with Project.open(path) as project:
        names = project.class_names()
        reference = project.reference_labels("pool")
        ids = sorted(reference)[:n]
        wrong = set(ids[::n // flip][:flip]) if flip else set()
        for item in ids:
            cls = 1 - reference[item] if item in wrong else reference[item]
            project.add_label(item, "dr_a", names[cls])
    return sorted(wrong)


def test_too_few_labels_refused(demo_path: Path) -> None:
    label_demo(demo_path, 4, 0)
    with pytest.raises(AlstudioError, match="at least 3 labeled items of each"):
        check_labels(demo_path, LabelCheckConfig(folds=3))


@pytest.mark.slow
def test_check_on_the_demo_finds_flipped_labels(demo_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    flipped = label_demo(demo_path, 150, 12)
    steps: list[Progress] = []
    outcome = check_labels(demo_path, LabelCheckConfig(folds=3), progress=steps.append)
    assert outcome.checked == 150
    found = {s.item_id for s in outcome.suspects}
    hits = len(found & set(flipped))
    # BreastMNIST at 150 labels gives a model of AUC about 0.8, which errs on many correctly
    # labeled scans too: the check must find most flips, and flag them at well over the
    # 8% base rate, not flag only flips.
    assert hits >= 7, (found, flipped)
    assert hits / len(found) >= 2 * len(flipped) / 150
    assert any(step.phase.startswith("fold 3/3") for step in steps)
    with Project.open(demo_path) as project:
        assert {s.item_id for s in project.suspected_label_errors()} == found
        assert project.audit_log()[-1]["action"] == "label-errors"
    assert main(["label-errors", str(demo_path), "--show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {row["item"] for row in shown["suspects"]} == found


def test_cancelled_check_writes_nothing(demo_path: Path) -> None:
    label_demo(demo_path, 30, 3)
    token = CancelToken()

    def cancel_on_first_epoch(step: Progress) -> None:
        if "epoch" in step.phase:
            token.cancel()

    with pytest.raises(Cancelled):
        check_labels(demo_path, LabelCheckConfig(folds=3, max_epochs=2),
                     progress=cancel_on_first_epoch, cancel=token)
    with Project.open(demo_path) as project:
        assert project.latest_label_error_run() is None
