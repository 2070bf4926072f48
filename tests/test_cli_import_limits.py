"""`alstudio import` with hostile files in the folder: a named pipe disguised as a DICOM file
is skipped without being opened, a file that takes longer than ``--file-timeout`` to decode is
skipped after the limit, and the good files beside them are imported.

Real files: pydicom's CT_small.dcm, a small PNG, and an 8000 x 8000 PNG of 68 KB whose decoding
(with its display window) takes seconds: a slow decoder, not a mock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

from alstudio.datasets.read_worker import FILE_TIMEOUT_SECONDS, timeout_reason
from alstudio.project import Project
from alstudio.workflow.importer import import_paths


def _run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "alstudio", *map(str, args)],
                          capture_output=True, text=True, timeout=180, check=check)


def _small_png(path: Path) -> None:
    Image.fromarray((np.arange(32 * 32).reshape(32, 32) % 251).astype(np.uint8)).save(path)


def _slow_png(path: Path) -> None:
    pixels = np.zeros((8000, 8000), np.uint8)
    pixels[::7, ::5] = 200
    Image.fromarray(pixels).save(path, compress_level=9)


def _folder(tmp_path: Path, pydicom_test_files: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(pydicom_test_files / "CT_small.dcm", folder / "ct.dcm")
    _small_png(folder / "small.png")
    os.mkfifo(folder / "pipe.dcm")  # opening it would wait for a writer, forever
    return folder


def test_cli_import_skips_a_named_pipe_and_imports_the_rest(
        tmp_path: Path, pydicom_test_files: Path) -> None:
    folder = _folder(tmp_path, pydicom_test_files)
    project = tmp_path / "p.alstudio"
    _run("new", project, "--classes", "a,b")
    result = _run("import", project, folder, "--json")
    report = json.loads(result.stdout)
    assert report["imported"] == 2, report
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert skipped == {"pipe.dcm": "a named pipe (FIFO), not a regular file; "
                                   "skipped without opening it"}
    assert report["timed_out"] == 0


def test_cli_import_skips_a_file_over_the_time_limit_and_counts_it(
        tmp_path: Path, pydicom_test_files: Path) -> None:
    folder = _folder(tmp_path, pydicom_test_files)
    _slow_png(folder / "huge.png")
    project = tmp_path / "p.alstudio"
    _run("new", project, "--classes", "a,b")
    started = time.monotonic()
    result = _run("import", project, folder, "--file-timeout", "0.5")
    assert time.monotonic() - started < 120
    assert f"skipped {folder / 'huge.png'}: took longer than 0.5 s to read; skipped" \
        in result.stderr
    assert "Imported 2 item(s)" in result.stdout
    assert "2 file(s) skipped (1 over the time limit per file)." in result.stdout
    assert "Traceback" not in result.stderr


def test_cli_import_refuses_a_time_limit_that_is_not_positive(tmp_path: Path) -> None:
    project = tmp_path / "p.alstudio"
    _run("new", project, "--classes", "a,b")
    result = _run("import", project, tmp_path, "--file-timeout", "0", check=False)
    assert result.returncode == 2
    assert "--file-timeout" in result.stderr and "Traceback" not in result.stderr
    help_text = _run("import", "--help").stdout
    assert f"(default {FILE_TIMEOUT_SECONDS:g})" in " ".join(help_text.split())


def test_import_paths_goes_on_past_a_pipe_and_a_slow_file(
        tmp_path: Path, pydicom_test_files: Path) -> None:
    folder = _folder(tmp_path, pydicom_test_files)
    _slow_png(folder / "huge.png")
    outcome: dict[str, object] = {}

    def work() -> None:
        with Project.create(tmp_path / "p.alstudio", ["a", "b"]) as project:
            outcome["report"] = import_paths(project, [folder], file_timeout=0.5)
            outcome["items"] = sorted(Path(i.path).name for i in project.items())

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "the import hung"
    report = outcome["report"]
    assert outcome["items"] == ["ct.dcm", "small.png"]
    reasons = {Path(s["path"]).name: s["reason"] for s in report.skipped}  # type: ignore[attr-defined]
    assert reasons["huge.png"] == timeout_reason(0.5)
    assert reasons["pipe.dcm"].startswith("a named pipe")
    assert report.timed_out == 1  # type: ignore[attr-defined]
