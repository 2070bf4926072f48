"""`alstudio doctor` from the source checkout, and project files given as the only argument."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alstudio.cli import main
from alstudio.project import Project

REPO = Path(__file__).resolve().parents[1]


def test_doctor_passes_on_this_checkout(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "alstudio", "doctor", "--json"], env=env,
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["problems"] == [] and report["frozen"] is False
    assert all(folder["writable"] for folder in report["user_folders"].values())
    assert set(report["decoders"].values()) == {True}
    assert report["user_folders"]["settings"]["path"].startswith(str(tmp_path))


def test_doctor_reports_an_unwritable_user_folder(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folders should go")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "NOT WRITABLE" in out and "problem: cannot write the cache folder" in out


def test_a_project_file_alone_opens_it(tmp_path: Path) -> None:
    """What a double-click runs on Windows and Linux: `alstudio PATH.alstudio`."""
    opened: list[tuple[object, object]] = []

    def open_gui(project: object, annotator: object) -> int:
        opened.append((project, annotator))
        return 0

    Project.create(tmp_path / "study.alstudio", ["a", "b"]).close()
    assert main([str(tmp_path / "study.alstudio")], open_gui=open_gui) == 0
    assert opened == [(tmp_path / "study.alstudio", None)]
