"""The installer recipes, checked as far as Linux allows (fast: no PyInstaller run).

The macOS Info.plist is parsed as macOS would; the Inno Setup script has its sections, the
per-user settings and only references files that exist; the Linux tarball is made from a
stand-in bundle, installed into a temporary prefix, registered, started and uninstalled.
"""

from __future__ import annotations

import configparser
import os
import plistlib
import re
import shutil
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from alstudio.project import SUFFIX

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
EXTENSION = SUFFIX.lstrip(".")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the tarball and its shell scripts are Linux's installer")


def spec_executables() -> list[str]:
    """The EXE names the PyInstaller spec builds."""
    return re.findall(r'EXE\(.*?name="([^"]+)"', (PACKAGING / "alstudio.spec").read_text(),
                      flags=re.S)


def test_spec_builds_a_windowed_app_and_a_console_launcher() -> None:
    text = (PACKAGING / "alstudio.spec").read_text()
    compile(text, "alstudio.spec", "exec")
    assert spec_executables() == ["alstudio", "alstudio-cli"]
    assert re.search(r'name="alstudio", console=False', text)
    assert re.search(r'name="alstudio-cli", console=True', text)
    for icon in ("alstudio.ico", "alstudio.icns", "alstudio.png", "alstudio.svg"):
        assert (REPO / "resources" / "icons" / icon).stat().st_size > 500, icon


def test_macos_info_plist_declares_the_project_type() -> None:
    with open(PACKAGING / "macos" / "Info.plist", "rb") as f:
        plist = plistlib.load(f)
    assert plist["CFBundleExecutable"] == spec_executables()[0]
    (doc,) = plist["CFBundleDocumentTypes"]
    (exported,) = plist["UTExportedTypeDeclarations"]
    assert doc["LSItemContentTypes"] == [exported["UTTypeIdentifier"]]
    assert doc["CFBundleTypeRole"] == "Editor" and doc["LSHandlerRank"] == "Owner"
    tags = exported["UTTypeTagSpecification"]
    assert tags["public.filename-extension"] == [EXTENSION]
    assert tags["public.mime-type"] == ["application/x-alstudio"]
    assert "public.data" in exported["UTTypeConformsTo"]
    with open(PACKAGING / "macos" / "entitlements.plist", "rb") as f:
        assert plistlib.load(f)  # parses; hardened-runtime exceptions only


def iss_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return sections


def test_inno_setup_script_is_per_user_and_complete() -> None:
    iss = PACKAGING / "windows" / "alstudio.iss"
    text = iss.read_text()
    sections = iss_sections(text)
    for name in ("Setup", "Languages", "Tasks", "Files", "Icons", "Registry", "Run"):
        assert name in sections, f"[{name}] missing"
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"].startswith("{localappdata}")
    assert setup["ChangesAssociations"] == "yes"
    for key in ("SetupIconFile", "OutputDir"):  # paths relative to the script's folder
        assert (iss.parent / setup[key].replace("\\", "/")).resolve().is_relative_to(REPO)
    assert (iss.parent / setup["SetupIconFile"].replace("\\", "/")).is_file()
    bundle = re.search(r'#define BundleDir "([^"]+)"', text).group(1).replace("\\", "/")
    assert (iss.parent / bundle).resolve() == REPO / "dist" / "alstudio"  # the spec's output
    programs = set(re.findall(r"\{app\}\\([\w-]+)\.exe", text))
    assert programs <= set(spec_executables()), programs
    registry = "\n".join(sections["Registry"])
    assert f'Software\\Classes\\{SUFFIX}"' in registry and '""%1""' in registry
    assert all(line.startswith("Root: HKA") for line in sections["Registry"])
    assert any("{autoprograms}" in line for line in sections["Icons"])
    for switch in ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/CURRENTUSER", "unins000.exe"):
        assert switch in text, switch


def test_desktop_entry_and_mime_type() -> None:
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment, method-assign]
    desktop.read(PACKAGING / "linux" / "alstudio.desktop")
    entry = desktop["Desktop Entry"]
    assert entry["Exec"] == "@APPDIR@/alstudio %f"
    assert entry["MimeType"] == "application/x-alstudio;"
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(PACKAGING / "linux" / "alstudio-mime.xml").getroot()
    mime = root.find("m:mime-type", ns)
    assert mime is not None and mime.get("type") == "application/x-alstudio"
    assert mime.find("m:glob", ns).get("pattern") == f"*{SUFFIX}"


@linux_only
def test_shell_scripts_parse() -> None:
    for script in (REPO / "scripts" / "package.sh", PACKAGING / "linux" / "install.sh",
                   PACKAGING / "linux" / "uninstall.sh", PACKAGING / "macos" / "make_dmg.sh"):
        subprocess.run(["bash", "-n", str(script)], check=True)
        assert os.access(script, os.X_OK), f"{script} is not executable"


STAND_IN = """#!/bin/sh
# stand-in for the frozen program: answers like `alstudio --version`
echo "alstudio stand-in $(basename "$0") $*"
"""


def make_tarball(tmp_path: Path) -> Path:
    """scripts/package.sh --bundle on a stand-in bundle: the real tarball layout, in seconds."""
    bundle = tmp_path / "bundle" / "alstudio"
    (bundle / "_internal" / "alstudio").mkdir(parents=True)
    for name in ("alstudio", "alstudio-cli"):
        (bundle / name).write_text(STAND_IN)
        (bundle / name).chmod(0o755)
    (bundle / "_internal" / "alstudio" / "build_info.json").write_text('{"variant": "CPU"}')
    out = tmp_path / "out"
    subprocess.run([str(REPO / "scripts" / "package.sh"), "--bundle", str(bundle), "--out",
                    str(out)], check=True, capture_output=True, timeout=120)
    (tarball,) = out.glob("alstudio-*-linux-*-cpu.tar.gz")
    return tarball


@linux_only
def test_tarball_installs_registers_and_uninstalls(tmp_path: Path) -> None:
    tarball = make_tarball(tmp_path)
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    (top,) = (tmp_path / "unpacked").iterdir()
    assert {p.name for p in top.iterdir()} == {"alstudio", "install.sh", "uninstall.sh", "share",
                                               "README.txt"}
    home, prefix = tmp_path / "home", tmp_path / "prefix"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    out = subprocess.run([str(top / "install.sh"), "--prefix", str(prefix)], env=env,
                         check=True, capture_output=True, text=True, timeout=120).stdout
    appdir = prefix / "lib" / "alstudio"
    assert f"installed in {appdir}" in out
    started = subprocess.run([str(prefix / "bin" / "alstudio-cli"), "--version"],
                             capture_output=True, text=True, check=True).stdout
    assert started.startswith("alstudio stand-in alstudio-cli --version")
    desktop = (prefix / "share" / "applications" / "alstudio.desktop").read_text()
    assert f"Exec={appdir}/alstudio %f" in desktop and "@" not in desktop
    assert (prefix / "share" / "mime" / "packages" / "alstudio.xml").is_file()
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate",
                        str(prefix / "share" / "applications" / "alstudio.desktop")], check=True)
    if shutil.which("update-mime-database"):  # the database now knows the type
        assert (prefix / "share" / "mime" / "application" / "x-alstudio.xml").is_file()

    project = home / "studies" / "mine.alstudio"  # the user's work, and the app's settings
    project.parent.mkdir()
    project.write_bytes(b"SQLite format 3\0")
    (home / ".config" / "alstudio").mkdir(parents=True)
    (home / ".config" / "alstudio" / "alstudio.ini").write_text("[recent]\n")
    subprocess.run([str(top / "install.sh"), "--prefix", str(prefix)], env=env, check=True,
                   capture_output=True, timeout=120)  # reinstalling over itself is fine
    subprocess.run([str(appdir / "uninstall.sh")], env=env, check=True, capture_output=True,
                   timeout=120)
    assert not appdir.exists()
    left = {p.relative_to(prefix) for p in prefix.rglob("*") if p.is_file() or p.is_symlink()}
    assert not {p for p in left if "alstudio" in p.name and "mime/packages" not in str(p)}, left
    assert project.read_bytes() == b"SQLite format 3\0"
    assert (home / ".config" / "alstudio" / "alstudio.ini").is_file()


@linux_only
def test_install_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    tarball = make_tarball(tmp_path)
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    (top,) = (tmp_path / "unpacked").iterdir()
    foreign = tmp_path / "prefix" / "lib" / "alstudio"
    foreign.mkdir(parents=True)
    (foreign / "precious.txt").write_text("keep me")
    result = subprocess.run([str(top / "install.sh"), "--prefix", str(tmp_path / "prefix")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "was not made by this installer" in result.stderr
    assert (foreign / "precious.txt").read_text() == "keep me"


@linux_only
@pytest.mark.parametrize("argv", [["--bogus"], ["--prefix"]])
def test_install_misuse_exits_2_or_explains(tmp_path: Path, argv: list[str]) -> None:
    result = subprocess.run([str(PACKAGING / "linux" / "install.sh"), *argv],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "install.sh" in result.stderr
