"""`alstudio import` end to end: geometry warnings in --json and the summary, a quiet terminal.

Real files: the 35-slice T1 series with one slice removed, and pydicom's broken JPEG 2000
file (every decoder fails on it; pydicom logs each failure and OpenJPEG prints from C).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pydicom

GAP = "slice gap: 9.6 mm between slices 3 and 4; elsewhere 4.8 mm"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "alstudio", *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=True)


def test_import_reports_gaps_and_keeps_the_terminal_quiet(
        tmp_path: Path, shared_data: Path, pydicom_test_files: Path) -> None:
    series = shared_data / "dicom_mr_series" / "HFS" / "3_t1_fl2d_sag"
    slices = sorted(series.glob("*.dcm"), key=lambda p: -float(
        pydicom.dcmread(p, stop_before_pixels=True).ImagePositionPatient[0]))
    folder = tmp_path / "incoming"
    folder.mkdir()
    for index, path in enumerate(slices):
        if index != 3:
            shutil.copyfile(path, folder / path.name)
    broken = "JPEG2000-embedded-sequence-delimiter.dcm"
    shutil.copyfile(pydicom_test_files / broken, folder / broken)
    project = tmp_path / "p.alstudio"
    _run("new", project, "--classes", "normal,abnormal")

    result = _run("import", project, folder, "--json")
    report = json.loads(result.stdout)
    assert report["imported"] == 1
    assert [w["warnings"] for w in report["warnings"]] == [[GAP]]
    (skipped,) = report["skipped"]
    assert skipped["reason"].startswith("cannot decode: ")
    assert "NoneType" not in skipped["reason"]
    for noise in ("Traceback", "pydicom", "Invalid number of tiles", "ERROR", "WARNING"):
        assert noise not in result.stderr, result.stderr

    other = tmp_path / "q.alstudio"
    _run("new", other, "--classes", "normal,abnormal")
    summary = _run("import", other, folder)
    assert "1 item(s) with a geometry warning" in summary.stdout
    assert "Traceback" not in summary.stderr and "pydicom" not in summary.stderr
