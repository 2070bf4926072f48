#!/usr/bin/env bash
# Set up (once), then lint, check the import layers, and run the test suite (without `slow`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
echo "== ruff" && .venv/bin/ruff check alstudio tests benchmarks packaging scripts
echo "== import layers" && .venv/bin/lint-imports
echo "== types" && .venv/bin/mypy
echo "== pytest" && .venv/bin/python -m pytest -m "not slow" -q "$@"
