"""Every verb checks its arguments before doing work: one line saying what to do, the right
exit code, no traceback, and refused in about the time Python takes to start."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alstudio import cli

REPO = Path(__file__).resolve().parents[1]
NPZ = REPO / "resources" / "demo" / "breastmnist.npz"

# (arguments, exit code, words in the message); P is the demo project, N the demo archive
CASES = [
    (["label", "P", "99999999999999999999", "malignant", "--annotator", "a"], 2, "at most"),
    (["label", "P", "0", "malignant", "--annotator", "a"], 2, "at least 1"),
    (["label", "P", "1", "malignant", "--annotator", "a", "--seconds", "-5"], 2, "must be in"),
    (["label", "P", "1", "malignant", "--annotator", "a", "--seconds", "nan"], 2, "finite"),
    (["label", "P", "1", "malignant", "--annotator", "a", "--seconds", "inf"], 2, "finite"),
    (["label", "P", "1", "nosuch", "--annotator", "a"], 1, "No class 'nosuch'"),
    (["label", "P", "99999", "malignant", "--annotator", "a"], 1, "No item 99999"),
    (["new", "/proc/x.alstudio", "--classes", "a,b"], 1, "inside /proc"),
    (["new", "P", "--classes", "a,b"], 1, "already exists"),
    (["demo", "/proc/demo.alstudio"], 1, "inside /proc"),
    (["open", "missing.alstudio"], 1, "No project file at missing.alstudio"),
    (["info", "missing.alstudio"], 1, "No project file"),
    (["import", "P", "/no/such/folder"], 1, "Nothing at /no/such/folder"),
    (["copy", "P", "/proc/copy.alstudio"], 1, "inside /proc"),
    (["copy", "P", "P"], 1, "already exists"),
    (["round", "P", "--batch", "-5"], 2, "at least 1"),
    (["round", "P", "--max-epochs", "-1"], 2, "at least 1"),
    (["round", "P", "--committee-size", "-3"], 2, "at least 1"),
    (["round", "P", "--strategy", "nosuch"], 1, "Unknown strategy 'nosuch'"),
    (["round", "P", "--model", "nosuch"], 1, "Unknown model 'nosuch'"),
    (["stream", "P", "--budget", "5", "--accept-fraction", "0"], 2, "must be in"),
    (["simulate", "N", "--rare-class", "7"], 1, "--rare-class 7 does not exist"),
    (["simulate", "N", "--rare-fraction", "-1"], 2, "must be in"),
    (["simulate", "N", "--json", "/proc/out.json"], 1, "inside /proc"),
    (["simulate", "N", "--json", "README.md/out.json"], 1, "Cannot"),
    (["simulate", "README.md"], 1, "not an .npz archive"),
    (["simulate", "N", "--seeds", "0"], 2, "at least 1"),
    (["simulate", "N", "--first-seed", "-1"], 2, "at least 0"),
]


def _expand(args: list[str], project: Path) -> list[str]:
    return [str(project) if a == "P" else str(NPZ) if a == "N" else a for a in args]


@pytest.mark.parametrize("args, code, words", CASES, ids=[" ".join(c[0][:4]) for c in CASES])
def test_bad_arguments_are_refused_in_one_line(args: list[str], code: int, words: str,
                                               demo_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    before = demo_path.read_bytes()
    try:
        got = cli.main(_expand(args, demo_path))
    except SystemExit as exc:  # argparse: misuse
        got = exc.code
    err = capsys.readouterr().err
    assert got == code, err
    assert "Traceback" not in err and words in err, err
    lines = err.strip().splitlines()
    if code == 1:
        assert len(lines) == 1 and lines[0].startswith("alstudio: "), err
    else:
        assert "error:" in lines[-1], err
    assert demo_path.read_bytes() == before  # a refused command changed nothing


@pytest.mark.parametrize("args", [
    ["round", "P", "--batch", "-5"],
    ["simulate", "N", "--rare-class", "7"],
    ["simulate", "N", "--json", "/proc/out.json"],
    ["simulate", "README.md"],
])
def test_refused_before_any_heavy_import(args: list[str], demo_path: Path) -> None:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "alstudio",
                          *_expand(args, demo_path)], capture_output=True, text=True, cwd=REPO,
                         timeout=60)
    elapsed = time.perf_counter() - started
    assert run.returncode in (1, 2)
    assert "| torch" not in run.stderr  # torch was never imported
    assert "pickle" not in run.stderr.split("\n")[-2].lower()
    assert elapsed < 5.0


def test_info_json_never_prints_infinity(demo_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # an old project may hold a time that is not finite
    conn = sqlite3.connect(demo_path)
    conn.execute("INSERT INTO annotators(name, role, created_at) VALUES ('a', 'annotator', 'x')")
    conn.execute("INSERT INTO label_events(item_id, annotator_id, decision, class_id, "
                 "submitted_at, seconds_spent) VALUES (1, 1, 'label', 1, 'x', 9e999)")
    conn.commit()
    conn.close()
    assert cli.main(["info", str(demo_path), "--json"]) == 0
    out = capsys.readouterr().out
    assert "Infinity" not in out and "NaN" not in out
    json.loads(out)


@pytest.mark.slow
def test_a_batch_larger_than_the_pool_says_it_queued_everything(
        demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["round", str(demo_path), "--batch", "100000", "--json"]) == 0
    captured = capsys.readouterr()
    assert "the whole unlabeled pool was queued" in captured.err
    assert len(json.loads(captured.out)["queued"]) == 624
