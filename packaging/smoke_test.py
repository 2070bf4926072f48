"""Smoke test of a built bundle: run what ships, not the checkout.

Usage: python packaging/smoke_test.py [dist/alstudio] [--json FIGURES.json]

Runs the frozen programs from an empty folder with a scrubbed environment (no PYTHONPATH, no
venv, HOME in a new temporary folder, no XDG folders): `alstudio-cli doctor` (every loaded
module inside the bundle, decoders present, user folders writable), the window offscreen up to
its first show event (timed: the cold start-up), the demo (read from inside the bundle), an
import of real DICOMs in JPEG 2000, JPEG Lossless and RLE (so the pylibjpeg plugins travelled)
and a NIfTI volume, a cold-start round, labels, a trained round, `export` when the bundle has
that verb, and exits 0 with "bundle smoke test passed". Nothing is written next to the program:
the bundle's files are compared before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
# one file per compressed syntax: shared data (a real MR slice) first, else pydicom's own files
DICOM_CASES = {
    "RLE Lossless": ("dicom_transfer_syntaxes/In/4.dcm", "MR_small_RLE.dcm"),
    "JPEG Lossless SV1": ("dicom_transfer_syntaxes/In/5.dcm", "SC_rgb_jpeg_gdcm.dcm"),
    "JPEG 2000 Lossless": ("dicom_transfer_syntaxes/In/9.dcm", "MR_small_jp2klossless.dcm"),
}
NIFTI_CASES = ("nifti_mni/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz", "anatomical.nii")
SHOWN_LINE = "alstudio: main window shown"


def scrubbed_env(home: Path) -> dict[str, str]:
    """The environment of a fresh user account: no Python or alstudio settings leak in."""
    # the system's own variables, and thread caps a busy CI machine may set (not settings of
    # Python or alstudio, so they cannot make the bundle find code outside itself)
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TEMP", "TMP", "WINDIR", "COMSPEC",
            "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(HOME=str(home), USERPROFILE=str(home), QT_QPA_PLATFORM="offscreen",
               LOCALAPPDATA=str(home / "AppData" / "Local"),
               APPDATA=str(home / "AppData" / "Roaming"))
    return env


def find_dicoms(folder: Path) -> dict[str, Path]:
    """Copy one DICOM per syntax into ``folder``; returns syntax -> copied file."""
    pydicom_files = None
    found = {}
    for syntax, (shared, bundled) in DICOM_CASES.items():
        source = SHARED / shared
        if not source.is_file():
            if pydicom_files is None:
                import pydicom.data  # the test's own Python, not the bundle's

                pydicom_files = Path(pydicom.data.__file__).parent / "test_files"
            source = pydicom_files / bundled
        target = folder / f"{syntax.replace(' ', '_')}{source.suffix}"
        shutil.copyfile(source, target)
        found[syntax] = target
    return found


def find_nifti() -> Path:
    """A real NIfTI volume: the MNI template if the shared data is there, else nibabel's."""
    if (SHARED / NIFTI_CASES[0]).is_file():
        return SHARED / NIFTI_CASES[0]
    import nibabel

    return Path(nibabel.__file__).parent / "tests" / "data" / NIFTI_CASES[1]


def snapshot(bundle: Path) -> dict[str, str]:
    """Every file of the bundle with its size and modification time (and no new ones)."""
    return {str(p.relative_to(bundle)): f"{p.stat().st_size}:{p.stat().st_mtime_ns}"
            for p in sorted(bundle.rglob("*")) if p.is_file() and not p.is_symlink()}


class Bundle:
    """The two programs of a bundle, run in one empty folder with one scrubbed environment."""

    def __init__(self, root: Path, work: Path) -> None:
        suffix = ".exe" if sys.platform == "win32" else ""
        self.gui = root / f"alstudio{suffix}"
        self.cli = root / f"alstudio-cli{suffix}"
        for exe in (self.gui, self.cli):
            if not exe.is_file():
                raise SystemExit(f"no executable at {exe}; build with scripts/package.sh first")
        self.work = work
        (work / "home").mkdir()
        self.env = scrubbed_env(work / "home")
        self.seconds: dict[str, float] = {}
        self.last_stderr = ""

    def run(self, *args: str, check: bool = True) -> str:
        """`alstudio-cli ARGS` in the empty folder; its stdout (stderr shown on failure)."""
        started = time.perf_counter()
        result = subprocess.run([str(self.cli), *args], capture_output=True, text=True,
                                cwd=self.work, env=self.env, timeout=900)
        self.seconds[args[0]] = self.seconds.get(args[0], 0.0) + time.perf_counter() - started
        self.last_stderr = result.stderr
        if check and result.returncode != 0:
            raise SystemExit(f"FAILED ({result.returncode}): alstudio-cli {' '.join(args)}\n"
                             f"{result.stdout}\n{result.stderr}")
        return result.stdout + ("" if check else result.stderr)

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args))

    def start_window(self) -> float:
        """Seconds from starting the program to its main window's first show event.

        Timed on the windowed program, except on Windows: a windowed program has no stdout
        there, so the console launcher (same code, same window) is timed and the windowed one
        only has to open and close cleanly.
        """
        timed = self.cli if sys.platform == "win32" else self.gui
        started = time.perf_counter()
        proc = subprocess.Popen([str(timed), "gui", "--startup-check"], cwd=self.work,
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        assert proc.stdout is not None
        shown = None
        for line in proc.stdout:
            if line.startswith(SHOWN_LINE) and shown is None:
                shown = time.perf_counter() - started
        _, err = proc.communicate(timeout=120)
        if proc.returncode != 0 or shown is None:
            raise SystemExit(f"the window did not open (exit {proc.returncode}):\n{err}")
        if timed is not self.gui:
            windowed = subprocess.run([str(self.gui), "gui", "--startup-check"], cwd=self.work,
                                      env=self.env, capture_output=True, timeout=120)
            if windowed.returncode != 0:
                raise SystemExit(f"the windowed program failed ({windowed.returncode})")
        return shown


def smoke(bundle_root: Path) -> dict[str, object]:
    """Run every check; returns the figures (seconds per step, start-up time)."""
    total_started = time.perf_counter()
    before = snapshot(bundle_root)
    with tempfile.TemporaryDirectory(prefix="alstudio-smoke-") as tmp:
        app = Bundle(bundle_root, Path(tmp))
        version = app.run("--version").strip()
        print(version)
        doctor = app.json("doctor", "--json")
        assert not doctor["problems"], doctor["problems"]
        assert doctor["frozen"] and not doctor["modules_outside_bundle"], doctor
        print(f"doctor: {doctor['modules_loaded']} modules, all inside the bundle")

        startup = app.start_window()
        print(f"window shown {startup:.2f} s after start")

        demo = app.work / "demo.alstudio"
        demo_log = app.run("demo", str(demo)) + app.last_stderr  # progress names the archive
        if str(bundle_root.resolve()) not in demo_log:
            raise SystemExit(f"the demo was not read from inside the bundle:\n{demo_log}")
        info = app.json("info", str(demo), "--json")
        assert info["items"] == {"pool": 624, "test": 155}, info["items"]

        scans = app.work / "scans"
        scans.mkdir()
        dicoms = find_dicoms(scans)
        shutil.copyfile(find_nifti(), scans / find_nifti().name)
        app.run("new", str(app.work / "scans.alstudio"), "--classes", "a,b")
        imported = app.json("import", str(app.work / "scans.alstudio"), str(scans), "--json")
        assert imported["imported"] == len(dicoms) + 1 and not imported["skipped"], imported
        print(f"imported {', '.join(dicoms)} and a NIfTI volume")

        cold = app.json("round", str(demo), "--batch", "6", "--json")
        queued = [row["item"] for row in cold["queued"]]
        classes = [c["name"] for c in info["classes"]]
        for n, item in enumerate(queued):
            app.run("label", str(demo), str(item), classes[n % 2], "--annotator", "smoke")
        trained = app.json("round", str(demo), "--batch", "5", "--max-epochs", "1", "--json")
        assert len(trained["queued"]) == 5 and trained["labels_used"] == len(queued), trained
        print(f"rounds: cold start queued {len(queued)}, trained on {trained['labels_used']}")

        for fmt in ("csv", "monai"):  # a table, and images written by PIL from the archive
            out = app.work / f"export-{fmt}"
            exported = app.json("export", str(demo), "--format", fmt, "--out", str(out),
                                "--json")
            assert exported["items_written"] == len(queued), exported
            assert (out / "manifest.json").is_file(), sorted(out.iterdir())
        print(f"export: csv and monai, {len(queued)} labeled items each")
    after = snapshot(bundle_root)
    changed = sorted(set(before.items()) ^ set(after.items()))
    if changed:
        raise SystemExit(f"files next to the program changed: {changed[:10]}")
    figures = {"version": version, "startup_to_window_s": round(startup, 2),
               "seconds": {k: round(v, 2) for k, v in app.seconds.items()},
               "total_s": round(time.perf_counter() - total_started, 1),
               "bundle_files": len(before),
               "bundle_digest": hashlib.sha256("".join(before).encode()).hexdigest()[:12]}
    print(f"bundle smoke test passed in {figures['total_s']} s")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="smoke test of a built alstudio bundle")
    parser.add_argument("bundle", nargs="?", type=Path, default=REPO / "dist" / "alstudio")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    figures = smoke(args.bundle.resolve())
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
