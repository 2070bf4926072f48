"""`alstudio export` as a user runs it: exit codes, messages, loud warnings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alstudio.cli import main


def test_export_csv_and_json_output(labeled_project: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(labeled_project), "--format", "csv", "--out",
                 str(tmp_path / "c")]) == 0
    assert "Exported" in capsys.readouterr().out
    assert main(["export", str(labeled_project), "--format", "monai", "--out",
                 str(tmp_path / "m"), "--val-fraction", "0.5", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["format"] == "monai" and printed["items_written"] == 5


def test_non_empty_folder_exits_1_with_a_hint(labeled_project: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert main(["export", str(labeled_project), "--format", "json", "--out",
                 str(tmp_path / "full")]) == 1
    err = capsys.readouterr().err
    assert "--force" in err and "Traceback" not in err


def test_keep_identifiers_says_so_loudly(labeled_project: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(labeled_project), "--format", "dicom", "--out",
                 str(tmp_path / "d"), "--keep-identifiers"]) == 0
    captured = capsys.readouterr()
    assert "WARNING" in captured.err and "identifiers" in captured.err
    assert "left out" in captured.out  # the secondary capture and the PNGs


def test_misuse_exits_2(labeled_project: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alstudio", "export", str(labeled_project), "--format", "xml",
         "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "invalid choice" in result.stderr
