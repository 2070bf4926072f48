"""Smoke test of a built bundle: run what ships, not the checkout.

Usage: python packaging/smoke_test.py dist/alstudio

Runs the frozen executable from an empty folder with a scrubbed environment (no PYTHONPATH,
no venv), builds the demo, imports real DICOMs in compressed transfer syntaxes (the pylibjpeg
plugins must have travelled), runs a cold-start round (torch inside the bundle), and checks
that the demo archive was read from inside the bundle, not from a source checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DICOM_SAMPLES = REPO.parent / "shared" / "data" / "dicom_transfer_syntaxes" / "In"


def run(exe: Path, *args: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd,
                            env=env, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"FAILED: alstudio {' '.join(args)}\n{result.stderr}")
    return result.stdout + result.stderr


def main(bundle: Path) -> None:
    exe = bundle / ("alstudio.exe" if sys.platform == "win32" else "alstudio")
    if not exe.is_file():
        raise SystemExit(f"no executable at {exe}; build with `make package` first")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(run(exe, "--version", cwd=work).strip())
        demo_log = run(exe, "demo", str(work / "demo.alstudio"), cwd=work)
        inside = str(bundle.resolve())
        if inside not in demo_log:
            raise SystemExit(f"the demo was not read from inside the bundle:\n{demo_log}")
        info = json.loads(run(exe, "info", str(work / "demo.alstudio"), "--json", cwd=work))
        assert info["items"] == {"pool": 624, "test": 155}, info["items"]
        if DICOM_SAMPLES.is_dir():
            run(exe, "new", str(work / "mr.alstudio"), "--classes", "a,b", cwd=work)
            imported = json.loads(run(exe, "import", str(work / "mr.alstudio"),
                                      str(DICOM_SAMPLES), "--json", cwd=work))
            assert imported["imported"] == 9 and not imported["skipped"], imported
        round_out = json.loads(run(exe, "round", str(work / "demo.alstudio"), "--batch", "5",
                                   "--json", cwd=work))
        assert len(round_out["queued"]) == 5, round_out
    print("bundle smoke test passed")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "dist" / "alstudio"))
