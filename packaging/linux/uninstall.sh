#!/usr/bin/env bash
# Remove an alstudio installed by install.sh: the program folder, its command links, the menu
# entry, the icon and the .alstudio file type.
#
# Kept: every project file (wherever it was saved), the user's settings (~/.config/alstudio),
# logs (~/.local/state/alstudio) and the demo project (~/.local/share/alstudio). Delete those
# folders by hand for a clean slate.
set -euo pipefail

appdir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$appdir/.alstudio-install"
if [ ! -f "$manifest" ]; then
  echo "uninstall.sh: $appdir was not installed by install.sh (no $manifest); nothing removed" >&2
  exit 1
fi

sharedir="$(sed -n 's/^sharedir=//p' "$manifest")"
while IFS= read -r path; do
  case "$path" in ''|'#'*|sharedir=*) continue ;; esac
  rm -f -- "$path"
done < "$manifest"
rm -rf -- "$appdir"

if [ -n "$sharedir" ]; then
  command -v update-mime-database >/dev/null && update-mime-database "$sharedir/mime" || true
  command -v update-desktop-database >/dev/null \
    && update-desktop-database -q "$sharedir/applications" || true
fi
echo "alstudio removed from $appdir; projects, settings and logs were kept"
