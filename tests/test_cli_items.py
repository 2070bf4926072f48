"""`alstudio items` and the round's training budget, through the command as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from alstudio.project import Project
from tests.test_cli import alstudio


def _label_some(path: Path, count: int) -> list[int]:
    """Give ``count`` pool items their reference class; returns their ids."""
    with Project.open(path) as project:
        names = project.class_names()
        chosen = list(project.reference_labels("pool").items())[:count]
        for item_id, label in chosen:
            project.add_label(item_id, "oracle", names[label])
    return [item_id for item_id, _ in chosen]


def test_items_lists_and_filters_by_status(demo_path: Path) -> None:
    labeled = _label_some(demo_path, 3)
    with Project.open(demo_path) as project:
        other = project.class_names()[1 - project.reference_labels("pool")[labeled[0]]]
        project.add_label(labeled[0], "second", other)  # a second annotator disagrees
        skipped = project.item_ids("pool")[10]
        project.add_label(skipped, "oracle", None, decision="skip")

    everything = json.loads(alstudio("items", demo_path, "--json").stdout)
    assert everything["count"] == 779
    by_id = {row["id"]: row for row in everything["items"]}
    assert by_id[labeled[0]]["status"] == "disputed"
    assert by_id[labeled[1]]["status"] == "labeled" and by_id[labeled[1]]["label"]
    assert by_id[skipped]["status"] == "skipped"
    assert by_id[labeled[1]]["dataset_root"]
    assert by_id[labeled[1]]["path"].startswith("breastmnist.npz#")

    chosen = json.loads(alstudio("items", demo_path, "--status", "labeled", "--status",
                                 "disputed", "--json").stdout)
    assert sorted(row["id"] for row in chosen["items"]) == sorted(labeled)
    test_split = json.loads(alstudio("items", demo_path, "--split", "test", "--json").stdout)
    assert test_split["count"] == 155 and {r["split"] for r in test_split["items"]} == {"test"}

    table = alstudio("items", demo_path, "--status", "skipped").stdout.splitlines()
    assert table[0].split() == ["ID", "SPLIT", "STATUS", "LABEL", "PATH"]
    assert table[1].split()[:3] == [str(skipped), "pool", "skipped"]
    assert table[-1] == "1 item(s)."


def test_a_missing_item_points_at_the_items_verb(demo_path: Path) -> None:
    result = alstudio("label", demo_path, "99999", "malignant", "--annotator", "a",
                      check=False)
    assert result.returncode == 1 and "alstudio items" in result.stderr


def test_min_steps_bounds_the_round_and_the_explanation_says_so(demo_path: Path) -> None:
    _label_some(demo_path, 24)
    result = alstudio("round", demo_path, "--max-epochs", "2", "--min-steps", "6",
                      "--model", "small_cnn", "--device", "cpu", "--batch", "4", "--json")
    outcome = json.loads(result.stdout)
    history = outcome["metrics"]["training"]
    assert "Training budget:" in outcome["explanation"]
    assert "at least 6 steps over at most 2 epochs" in outcome["explanation"]
    # 24 labels, batches of 16: 2 steps an epoch, raised to ceil(6 / 2) = 3 by the floor.
    assert "6 optimiser steps in 2 epoch(s)" in outcome["explanation"], history
    queued = json.loads(alstudio("items", demo_path, "--status", "queued", "--json").stdout)
    assert [row["id"] for row in queued["items"]] == [q["item"] for q in outcome["queued"]]
