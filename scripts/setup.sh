#!/usr/bin/env bash
# Create or reuse .venv and install alstudio into it, torch first.
#
# torch goes in before the project so that pip does not resolve `torch>=2.8` on its own and
# pull a multi-GB CUDA build where none is wanted. Choose the build with ALSTUDIO_TORCH:
#   ALSTUDIO_TORCH="torch==2.13.0"   (default; a CPU wheel where one is provided locally, the
#                                     CUDA build from PyPI on Linux otherwise)
#   ALSTUDIO_TORCH_INDEX=https://download.pytorch.org/whl/cpu    (CPU-only workstations)
#   ALSTUDIO_TORCH_INDEX=https://download.pytorch.org/whl/cu128  (NVIDIA workstations)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3.13 python3.10 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON=$candidate; break; fi
  done
fi
[ -n "$PYTHON" ] || { echo "setup: Python 3.10+ is needed; install python3 first." >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)

stamp=.venv/.alstudio-installed
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1) ${ALSTUDIO_TORCH:-} ${ALSTUDIO_EXTRAS:-dev}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

torch_spec=${ALSTUDIO_TORCH:-torch==2.13.0}
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  echo "setup: installing $torch_spec first" >&2
  if [ -n "${ALSTUDIO_TORCH_INDEX:-}" ]; then
    "${PIP[@]}" install "$torch_spec" --index-url "$ALSTUDIO_TORCH_INDEX"
  else
    "${PIP[@]}" install "$torch_spec"
  fi
fi
echo "setup: installing alstudio[${ALSTUDIO_EXTRAS:-dev}]" >&2
"${PIP[@]}" install -e ".[${ALSTUDIO_EXTRAS:-dev}]"
echo "$want" > "$stamp"
