#!/usr/bin/env bash
# Set up (once) and open alstudio on the demo project. Extra arguments go to `alstudio open`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ] \
   && [ "$(uname)" = "Linux" ]; then
  cat >&2 <<'MSG'
No display found, so the window has nowhere to appear. Either
  - run it on a virtual screen:  xvfb-run -a -s "-screen 0 1600x1000x24" scripts/run.sh
    (Debian/Ubuntu: apt-get install -y xvfb libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0)
  - or render off screen:        QT_QPA_PLATFORM=offscreen scripts/run.sh
MSG
  exit 2
fi

demo=${ALSTUDIO_DEMO:-$PWD/out/demo.alstudio}
mkdir -p "$(dirname "$demo")"
if [ ! -f "$demo" ]; then
  .venv/bin/alstudio demo "$demo"
fi
exec .venv/bin/alstudio open "$demo" --annotator "${ALSTUDIO_ANNOTATOR:-${USER:-annotator}}" "$@"
