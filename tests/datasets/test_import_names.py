"""File names that are not UTF-8, many skipped files, missing paths: the import goes on and
says what happened in a form a person can read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from alstudio import cli
from alstudio.project import Project
from alstudio.workflow.importer import NOT_TEXT_REASON, import_paths

REPO = Path(__file__).resolve().parents[2]


def png(path: bytes | Path, seed: int) -> None:
    pixels = (np.random.default_rng(seed).random((28, 28)) * 255).astype("uint8")
    Image.fromarray(pixels).save(os.fsdecode(path))


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    raw = os.fsencode(folder)
    try:
        png(raw + b"/bad\xff\xfe.png", 1)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    png(folder / "good1.png", 2)
    png(folder / "good2.png", 3)
    return folder


def test_a_name_that_is_not_utf8_is_skipped_and_the_import_goes_on(odd_names: Path,
                                                                   tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.alstudio", ["a", "b"]) as project:
        report = import_paths(project, [odd_names])
        assert report.imported == 2
        assert [s["reason"] for s in report.skipped] == [NOT_TEXT_REASON]
        assert report.skipped[0]["path"].endswith("bad\\xff\\xfe.png")
        json.dumps(report.as_json())  # printable and JSON-safe


def test_import_json_lists_the_odd_name_escaped(odd_names: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p.alstudio"
    Project.create(project, ["a", "b"]).close()
    assert cli.main(["import", str(project), str(odd_names), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 2 and "bad\\xff\\xfe.png" in out["skipped"][0]["path"]


def test_a_project_at_a_path_that_is_not_utf8_works(tmp_path: Path) -> None:
    folder = os.fsdecode(os.fsencode(tmp_path) + b"/odd\xff")
    try:
        os.mkdir(folder)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    path = Path(folder) / "p.alstudio"
    with Project.create(path, ["a", "b"]) as project:
        project.add_classes([])
    with Project.open(path) as project:
        assert project.class_names() == ["a", "b"]


def test_ten_thousand_empty_files_are_summarised_by_reason(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    for n in range(10_000):
        (folder / f"f{n:05d}.dcm").touch()
    project = tmp_path / "p.alstudio"
    Project.create(project, ["a", "b"]).close()
    run = subprocess.run([sys.executable, "-m", "alstudio", "import", str(project), str(folder)],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = [ln for ln in run.stderr.splitlines() if not ln.startswith(("indexing", "import"))]
    assert len(lines) <= 5, lines
    assert any("10000 x empty file" in ln for ln in lines)
    with_json = subprocess.run([sys.executable, "-m", "alstudio", "import", str(project),
                                str(folder), "--json"], capture_output=True, text=True,
                               cwd=REPO, timeout=120)
    assert len(json.loads(with_json.stdout)["skipped"]) == 10_000


def test_annotator_name_that_is_not_text_is_refused_plainly(tmp_path: Path) -> None:
    project = tmp_path / "p.alstudio"
    Project.create(project, ["a", "b"]).close()
    run = subprocess.run([os.fsencode(sys.executable), b"-m", b"alstudio", b"label",
                          os.fsencode(project), b"1", b"a", b"--annotator", b"dr\xff"],
                         capture_output=True, cwd=REPO, timeout=60)
    assert run.returncode == 2
    assert b"not valid UTF-8" in run.stderr and b"Traceback" not in run.stderr
