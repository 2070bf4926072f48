"""`alstudio --version` and the About box: which build, which torch, which CUDA, and fast."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alstudio import __version__, build_info

REPO = Path(__file__).resolve().parents[1]


def test_source_checkout_names_torch_without_importing_it() -> None:
    script = ("import sys, contextlib, io\n"
              "from alstudio.cli import main\n"
              "out = io.StringIO()\n"
              "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
              "    main(['--version'])\n"
              "print(out.getvalue().strip()); print('torch' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    line, torch_loaded = result.stdout.strip().splitlines()
    import torch

    assert line.startswith(f"alstudio {__version__} (source checkout; torch {torch.__version__}")
    assert ("no CUDA" in line) == (torch.version.cuda is None)
    assert torch_loaded == "False"


def test_cuda_version_is_read_from_torch_version_py() -> None:
    import torch

    assert build_info.torch_versions() == (torch.__version__, torch.version.cuda)


def test_bundle_reads_its_build_info(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """In a frozen bundle the line comes from build_info.json, written by the spec."""
    (tmp_path / "alstudio").mkdir()
    (tmp_path / "alstudio" / build_info.BUILD_INFO_NAME).write_text(json.dumps(
        {"alstudio": "9.9", "variant": "CUDA", "torch": "2.13.0+cu128", "cuda": "12.8",
         "python": "3.11.7"}))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert build_info.version_line() == (
        "alstudio 9.9 (CUDA bundle; torch 2.13.0+cu128, CUDA 12.8; Python 3.11.7)")


def test_version_line_without_torch() -> None:
    info = {"alstudio": "1.0", "variant": "installed package", "torch": None, "cuda": None,
            "python": "3.12.1", "frozen": False}
    assert build_info.version_line(info) == (
        "alstudio 1.0 (installed package; torch not installed, no CUDA; Python 3.12.1)")
