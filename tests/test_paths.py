"""Per-user folders: platformdirs' places, never next to the program or inside the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alstudio import paths

REPO = Path(__file__).resolve().parents[1]


def _forbidden_roots() -> list[Path]:
    return [Path(sys.executable).resolve().parent, Path(paths.__file__).resolve().parent,
            REPO]


def _assert_outside(folders: dict[str, Path], roots: list[Path]) -> None:
    for kind, folder in folders.items():
        resolved = folder.resolve()
        for root in roots:
            assert not resolved.is_relative_to(root.resolve()), (kind, folder, root)


def test_user_folders_follow_xdg_on_linux(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    """The Linux places stay what they were before platformdirs (XDG variables honoured)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("XDG folders are Linux's")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.user_dirs() == {
        "settings": tmp_path / ".config" / "alstudio",
        "data": tmp_path / ".local" / "share" / "alstudio",
        "logs": tmp_path / ".local" / "state" / "alstudio" / "log",
        "cache": tmp_path / ".cache" / "alstudio",
    }
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert paths.log_dir() == tmp_path / "state" / "alstudio" / "log"
    assert paths.default_demo_path() == tmp_path / ".local/share/alstudio/demo.alstudio"


def test_user_folders_are_never_beside_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not under the interpreter's folder, the package or the checkout; as this user."""
    _assert_outside(paths.user_dirs(), _forbidden_roots())


def test_frozen_app_writes_outside_its_install_folder(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    """As a frozen bundle in an install folder that also holds HOME's parent: still outside."""
    bundle = tmp_path / "opt" / "alstudio"
    (bundle / "_internal" / "alstudio" / "resources" / "demo").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle / "alstudio"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.resources_dir() == bundle / "_internal" / "alstudio" / "resources"
    _assert_outside(paths.user_dirs(), [bundle, *_forbidden_roots()])


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*")}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checks the XDG folders")
def test_source_app_runs_from_a_read_only_install(tmp_path: Path) -> None:
    """An installed copy of the package (made read-only) opens the window, builds the demo and
    names its build; afterwards not one file in the install folder is new or changed, and the
    user's files sit in the per-user folders."""
    install = tmp_path / "install"
    shutil.copytree(REPO / "alstudio", install / "alstudio",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "resources", install / "alstudio" / "resources")
    for path in [install, *install.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PYTHON"))}
    env.update(HOME=str(home), PYTHONPATH=str(install), QT_QPA_PLATFORM="offscreen",
               PYTHONDONTWRITEBYTECODE="1")
    before = _snapshot(install)
    try:
        for args in (["gui", "--startup-check"], ["demo"], ["--version"]):
            result = subprocess.run([sys.executable, "-m", "alstudio", *args], cwd=tmp_path,
                                    env=env, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stderr
        assert "installed package" in result.stdout
        assert _snapshot(install) == before
        assert (home / ".local/share/alstudio/demo.alstudio").is_file()
        assert (home / ".config/alstudio/alstudio.ini").is_file()
        assert (home / ".local/state/alstudio/log/alstudio.log").is_file()
    finally:
        for path in [install, *install.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
