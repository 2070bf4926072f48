#!/usr/bin/env bash
# Take the README's screenshots of the real window under a virtual X screen, into
# docs/screenshots/. Needs Xvfb; on Debian/Ubuntu:
#   apt-get install -y xvfb libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 imagemagick
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v xvfb-run >/dev/null; then
  echo "xvfb-run not found: apt-get install -y xvfb libxcb-icccm4 libxcb-keysyms1" \
       "libxkbcommon-x11-0" >&2
  exit 2
fi
unset QT_QPA_PLATFORM  # the real xcb platform, on the virtual screen
exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/take_screenshots.py "$@"
