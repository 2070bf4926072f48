"""Build the PyInstaller bundle and smoke-test it (slow: minutes, about 1 GB)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bundle_builds_and_runs(tmp_path: Path) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (ALSTUDIO_EXTRAS=dev,package scripts/setup.sh)")
    dist, work = tmp_path / "dist", tmp_path / "build"
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(dist),
                    "--workpath", str(work), str(REPO / "packaging" / "alstudio.spec")],
                   check=True, capture_output=True, timeout=1800)
    result = subprocess.run([sys.executable, str(REPO / "packaging" / "smoke_test.py"),
                             str(dist / "alstudio")], capture_output=True, text=True,
                            timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bundle smoke test passed" in result.stdout
