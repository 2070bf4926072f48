"""Build the real bundle and Linux tarball, install it, and smoke-test the installed app.

Slow (minutes, about 0.9 GB): run with ``pytest -m slow tests/packaging``. Set
ALSTUDIO_BUNDLE=dist/alstudio to package an already built bundle instead of running PyInstaller.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_tarball_installs_and_the_installed_app_passes_the_smoke_test(tmp_path: Path) -> None:
    if sys.platform != "linux":
        pytest.skip("the tarball is the Linux installer")
    given = os.environ.get("ALSTUDIO_BUNDLE")
    if not given and importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (ALSTUDIO_EXTRAS=dev,package scripts/setup.sh)")
    out = tmp_path / "dist"
    cmd = [str(REPO / "scripts" / "package.sh"), "--out", str(out)]
    if given:
        cmd += ["--bundle", given]
    env = dict(os.environ, PYTHON=sys.executable)
    subprocess.run(cmd, check=True, capture_output=True, timeout=3600, env=env)
    (tarball,) = out.glob("alstudio-*-linux-*.tar.gz")
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    (top,) = (tmp_path / "unpacked").iterdir()
    prefix, home = tmp_path / "prefix", tmp_path / "home"
    home.mkdir()
    user = {k: v for k, v in os.environ.items()
            if not k.startswith(("XDG_", "PYTHON", "VIRTUAL_ENV"))}
    user.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    subprocess.run([str(top / "install.sh"), "--prefix", str(prefix)], check=True, env=user,
                   capture_output=True, timeout=600)
    shown = subprocess.run([str(prefix / "bin" / "alstudio"), "gui", "--startup-check"],
                           capture_output=True, text=True, env=user, timeout=300, cwd=home)
    assert shown.returncode == 0 and "main window shown" in shown.stdout, shown.stderr
    figures = tmp_path / "smoke.json"
    smoke = subprocess.run([sys.executable, str(REPO / "packaging" / "smoke_test.py"),
                            str(prefix / "lib" / "alstudio"), "--json", str(figures)],
                           capture_output=True, text=True, timeout=1800)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "bundle smoke test passed" in smoke.stdout
    assert json.loads(figures.read_text())["startup_to_window_s"] > 0
    subprocess.run([str(prefix / "lib" / "alstudio" / "uninstall.sh")], check=True, env=user,
                   capture_output=True, timeout=600)
    assert not (prefix / "lib" / "alstudio").exists()
