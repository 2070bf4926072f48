"""`alstudio label`, `settings` and `disagreements` as a user runs them, in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from alstudio.project import Project
from tests.project.conftest import make_item
from tests.test_cli import alstudio


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "p.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        project.add_items(project.dataset_root_id(tmp_path), [make_item(n) for n in range(3)])
    return path


def test_label_uses_the_same_rule_as_the_window(tmp_path: Path) -> None:
    path = _project(tmp_path)
    alstudio("label", path, "1", "ABNORMAL", "--annotator", "dr_a")
    alstudio("label", path, "2", "1", "--annotator", "dr_a")
    alstudio("label", path, "3", "Skip", "--annotator", "dr_a")
    with Project.open(path) as project:
        assert project.current_labels()[1].by_annotator == {"dr_a": "abnormal"}
        assert project.current_labels()[2].by_annotator == {"dr_a": "normal"}
        assert project.current_labels()[3].by_annotator == {"dr_a": "skip"}


def test_label_on_a_missing_item_writes_nothing(tmp_path: Path) -> None:
    path = _project(tmp_path)
    result = alstudio("label", path, "99", "normal", "--annotator", "dr_new", check=False)
    assert result.returncode == 1 and "No item 99" in result.stderr
    assert "Traceback" not in result.stderr
    with Project.open(path) as project:
        assert project.annotators() == []


def test_settings_then_adjudicate_from_the_command_line(tmp_path: Path) -> None:
    path = _project(tmp_path)
    shown = json.loads(alstudio("settings", path, "--second-read", "0.2", "--consensus",
                                "majority", "--third-read-ties", "on", "--adjudicator",
                                "dr_chief", "--json").stdout)
    assert shown == {"second_read_fraction": 0.2, "third_read_ties": True,
                     "consensus": "majority", "annotators": {"dr_chief": "adjudicator"}}
    alstudio("label", path, "1", "normal", "--annotator", "dr_a", "--note", "clear")
    alstudio("label", path, "1", "abnormal", "--annotator", "dr_b")
    refused = alstudio("disagreements", path, "--annotator", "dr_a", check=False)
    assert refused.returncode == 1 and "not an adjudicator" in refused.stderr
    listed = json.loads(alstudio("disagreements", path, "--annotator", "dr_chief",
                                 "--json").stdout)["disagreements"]
    assert [(d["item"], d["settled"]) for d in listed] == [(1, False)]
    assert {r["annotator"]: (r["label"], r["note"]) for r in listed[0]["readings"]} == {
        "dr_a": ("normal", "clear"), "dr_b": ("abnormal", None)}
    no_reason = alstudio("label", path, "1", "abnormal", "--annotator", "dr_chief",
                         check=False)
    assert no_reason.returncode == 1 and "needs a reason" in no_reason.stderr
    alstudio("label", path, "1", "abnormal", "--annotator", "dr_chief", "--reason",
             "other: margin seen on the second view")
    with Project.open(path) as project:
        state = project.current_labels()[1]
    assert (state.consensus, state.source, state.adjudication_reason) == (
        "abnormal", "adjudicated", "other: margin seen on the second view")
