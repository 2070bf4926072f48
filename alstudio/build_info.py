"""Which alstudio this is: version, bundle variant (CPU or CUDA torch), torch and CUDA versions.

`alstudio --version` and the About box show it. It must stay fast and never import torch (a
second or more): a frozen bundle reads ``build_info.json``, written into the bundle by
``packaging/alstudio.spec`` at build time; a source checkout or an installed package reads
torch's version from its metadata and the CUDA version from ``torch/version.py`` as text.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import platform
import re
import sys
from pathlib import Path
from typing import Any

from alstudio import __version__

BUILD_INFO_NAME = "build_info.json"
_PACKAGE = Path(__file__).resolve().parent
# `cuda = '12.8'` or `cuda: Optional[str] = '12.8'` in torch/version.py (None: a CPU build)
_CUDA_LINE = re.compile(r"^cuda\s*(?::[^=\n]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def bundled_info_path() -> Path | None:
    """``build_info.json`` inside a frozen bundle; None when running from Python sources."""
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) / "alstudio" / BUILD_INFO_NAME if root else None


def torch_versions() -> tuple[str | None, str | None]:
    """(torch version, CUDA version torch was built with), without importing torch.

    The CUDA version is the ``cuda = '12.8'`` line of ``torch/version.py``, read as text;
    None for a CPU build, and (None, None) when torch is not installed.
    """
    try:
        torch_version: str | None = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None, None
    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    origin = Path(spec.origin) if spec and spec.origin else None
    version_py = origin.parent / "version.py" if origin else None
    text = version_py.read_text(encoding="utf-8") if version_py and version_py.is_file() else ""
    match = _CUDA_LINE.search(text)
    return torch_version, match.group(1) if match else None


def source_kind() -> str:
    """"source checkout" beside a pyproject.toml, else "installed package"."""
    return "source checkout" if (_PACKAGE.parent / "pyproject.toml").is_file() else \
        "installed package"


def describe() -> dict[str, Any]:
    """Everything the version line says, as a dict (also what the spec writes at build time)."""
    path = bundled_info_path()
    if path is not None and path.is_file():
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        info["frozen"] = True
        return info
    torch_version, cuda = torch_versions()
    return {"alstudio": __version__, "variant": source_kind(), "torch": torch_version,
            "cuda": cuda, "python": platform.python_version(), "frozen": False}


def version_line(info: dict[str, Any] | None = None) -> str:
    """One line: ``alstudio 0.1.0 (CPU bundle; torch 2.13.0+cpu, no CUDA; Python 3.11.7)``."""
    info = describe() if info is None else info
    variant = str(info.get("variant") or "unknown build")
    if info.get("frozen"):
        variant = f"{variant} bundle"
    torch_part = f"torch {info['torch']}" if info.get("torch") else "torch not installed"
    cuda_part = f"CUDA {info['cuda']}" if info.get("cuda") else "no CUDA"
    return (f"alstudio {info.get('alstudio', __version__)} ({variant}; {torch_part}, "
            f"{cuda_part}; Python {info.get('python', platform.python_version())})")
