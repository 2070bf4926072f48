"""`alstudio doctor`: check an installation without opening a project.

For IT after deploying the app, and for the bundle's smoke test: which build this is, whether
the per-user folders can be written (the install folder need not be), whether the model stack
and every DICOM decoder load, and, in a frozen bundle, that every loaded module came from
inside the bundle (nothing from a Python installation or a source checkout on the machine).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from alstudio.build_info import describe, version_line
from alstudio.paths import user_dirs

# Modules a working install must be able to import (the engine, the readers, the decoders).
REQUIRED_MODULES = (
    "alstudio.learning", "alstudio.selection", "alstudio.engine", "alstudio.workflow.round",
    "alstudio.workflow.importer", "alstudio.evaluation.simulate", "nibabel", "pydicom",
    "pylibjpeg", "libjpeg", "openjpeg", "rle", "matplotlib.backends.backend_agg",
)
# Compressed transfer syntaxes alstudio promises to read, by pydicom decoder name.
DECODERS = ("RLELosslessDecoder", "JPEGLosslessSV1Decoder", "JPEGLSLosslessDecoder",
            "JPEG2000LosslessDecoder", "JPEGBaseline8BitDecoder")


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `doctor` to the command line."""
    doctor = verbs.add_parser(
        "doctor", help="check this installation (build, folders, model stack, decoders)",
        description="Checks the installation and exits 1 if anything is wrong; opens no "
                    "project and never touches the network.")
    doctor.add_argument("--json", action="store_true", help="print one JSON object")
    doctor.set_defaults(handler=cmd_doctor)


def _writable(folder: Path) -> bool:
    """Create the folder if needed and write (then remove) a probe file in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            return True
    except OSError:
        return False


def _module_origins(root: Path) -> list[str]:
    """Loaded modules whose file lies outside ``root`` (the frozen bundle's folder).

    Modules embedded in the executable itself (PyInstaller's bootstrap, shiboken's support
    package) carry a bare relative name as ``__file__``; they are inside by construction.
    """
    outside = []
    for name, module in sorted(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or not os.path.isabs(file):
            continue
        path = Path(file).resolve()
        if not path.is_relative_to(root):
            outside.append(f"{name}: {path}")
    return outside


def _decoders() -> dict[str, bool]:
    from pydicom.pixels import decoders

    return {name: bool(getattr(decoders, name).is_available) for name in DECODERS}


def _torch() -> dict[str, Any]:
    """torch's version, the CUDA it was built for, and the device "auto" would train on."""
    import torch  # lazily: the model stack loads only for this check

    from alstudio.learning.device import describe_device, pick_device

    return {"version": torch.__version__, "built_for_cuda": torch.version.cuda,
            "cuda_available": torch.cuda.is_available(),
            "device": describe_device(pick_device("auto"))}


def run_checks() -> dict[str, Any]:
    """Every check's result; ``problems`` lists what is wrong, in words."""
    problems: list[str] = []
    folders = {kind: {"path": str(path), "writable": _writable(path)}
               for kind, path in user_dirs().items()}
    problems += [f"cannot write the {kind} folder {v['path']}" for kind, v in folders.items()
                 if not v["writable"]]
    for name in REQUIRED_MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:  # any failure to load is what the doctor reports
            problems.append(f"cannot import {name}: {exc}")
    decoders = _decoders()
    problems += [f"DICOM decoder {name} is not available" for name, ok in decoders.items()
                 if not ok]
    try:
        torch_info: dict[str, Any] = _torch()
    except Exception as exc:  # a broken torch install is reported, not raised
        torch_info = {"error": str(exc)}
        problems.append(f"torch does not load: {exc}")
    frozen = bool(getattr(sys, "frozen", False))
    install = Path(sys.executable).resolve().parent if frozen else \
        Path(__file__).resolve().parents[1]
    outside: list[str] = []
    if frozen:
        outside = _module_origins(Path(getattr(sys, "_MEIPASS", install)).resolve())
        problems += [f"module loaded from outside the bundle: {m}" for m in outside]
    return {"version": version_line(), "build": describe(), "frozen": frozen,
            "install_folder": str(install),
            "install_folder_writable": os.access(install, os.W_OK),
            "user_folders": folders, "decoders": decoders, "torch": torch_info,
            "modules_loaded": len(sys.modules), "modules_outside_bundle": outside,
            "problems": problems}


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print the checks (or their JSON); exit 1 when any failed, so scripts can act on it."""
    report = run_checks()
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(report["version"])
        print(f"install folder: {report['install_folder']}"
              f"{' (read-only)' if not report['install_folder_writable'] else ''}")
        for kind, folder in report["user_folders"].items():
            print(f"{kind:>8}: {folder['path']}{'' if folder['writable'] else '  NOT WRITABLE'}")
        print("decoders: " + ", ".join(f"{k}{'' if ok else ' MISSING'}"
                                       for k, ok in report["decoders"].items()))
        print(f"   torch: {report['torch']}")
        for problem in report["problems"]:
            print(f"problem: {problem}")
        print("all checks passed" if not report["problems"] else
              f"{len(report['problems'])} problem(s); reinstall alstudio or send this output "
              "to your IT department")
    return 1 if report["problems"] else 0
