"""The `alstudio` command end to end, in a subprocess, as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def alstudio(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "alstudio", *map(str, args)],
        capture_output=True, text=True, timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"alstudio {args} failed ({result.returncode}): {result.stderr}")
    return result


def test_round_trip_new_import_label_info(tmp_path: Path, shared_data: Path) -> None:
    project = tmp_path / "mr.alstudio"
    alstudio("new", project, "--classes", "normal,abnormal")
    series = shared_data / "dicom_mr_series" / "HFS" / "3_t1_fl2d_sag"
    junk = tmp_path / "broken"
    junk.mkdir()
    (junk / "notes.dcm").write_text("this is not a DICOM file")
    imported = json.loads(alstudio("import", project, series, junk, "--json").stdout)
    assert imported["imported"] == 1  # one 35-slice volume
    assert imported["duplicates"] == 0
    assert [s["path"] for s in imported["skipped"]] == [str(junk / "notes.dcm")]
    assert imported["skipped"][0]["reason"]

    again = json.loads(alstudio("import", project, series, "--json").stdout)
    assert again["imported"] == 0 and again["duplicates"] == 1

    alstudio("label", project, "1", "abnormal", "--annotator", "dr_a", "--seconds", "4.5")
    info = json.loads(alstudio("info", project, "--json").stdout)
    assert info["items"] == {"pool": 1, "test": 0}
    assert info["labels"]["abnormal"] == 1
    assert info["annotators"] == [{"name": "dr_a", "role": "annotator", "events": 1}]
    assert info["rounds"] == 0
    assert info["modalities"] == {"MR": 1}


def test_demo_builds_with_the_archive_counts(tmp_path: Path) -> None:
    project = tmp_path / "demo.alstudio"
    alstudio("demo", project)
    info = json.loads(alstudio("info", project, "--json").stdout)
    # BreastMNIST: 546 train + 78 val in the pool; 156 test, one of which duplicates a
    # training image and is therefore stored once, in the pool.
    assert info["items"] == {"pool": 624, "test": 155}
    assert info["reference_labels"] == {"pool": 624, "test": 155}
    assert [c["name"] for c in info["classes"]] == ["malignant", "benign/normal"]
    assert info["labeled_items"] == 0
    assert info["modalities"] == {"US": 779}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["info", "missing.alstudio"], "No project file"),
        (["new", "x.alstudio", "--classes", "only"], "at least two classes"),
    ],
)
def test_misuse_gives_a_message_and_exit_code(tmp_path: Path, args: list[str],
                                              message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "alstudio", *args], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_label_with_unknown_class_explains(tmp_path: Path) -> None:
    project = tmp_path / "p.alstudio"
    alstudio("new", project, "--classes", "a,b")
    result = alstudio("label", project, "1", "c", "--annotator", "x", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_every_verb_has_help() -> None:
    from alstudio.cli import build_parser

    verbs = build_parser()._subparsers._group_actions[0].choices
    for verb in verbs:
        assert alstudio(verb, "--help").stdout.startswith("usage: alstudio")


def test_usage_error_exits_2() -> None:
    result = alstudio("import", check=False)
    assert result.returncode == 2 and "usage:" in result.stderr


def test_round_refuses_a_misspelt_strategy_setting_before_any_work(demo_path: Path) -> None:
    result = alstudio("round", demo_path, "--strategy", "default:rare_shar=0.25", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "'rare_shar=0.25' in 'default:rare_shar=0.25' is not a setting of " \
           "coreset_uncertainty" in result.stderr
    assert "rare_share" in result.stderr and "random_share" in result.stderr
