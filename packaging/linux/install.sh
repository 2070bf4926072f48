#!/usr/bin/env bash
# Install alstudio from this unpacked tarball and register its menu entry and file type.
#
#   ./install.sh                  as a user: ~/.local/lib/alstudio, ~/.local/bin, ~/.local/share
#   sudo ./install.sh             as root:   /opt/alstudio, /usr/local/bin, /usr/local/share
#   ./install.sh --prefix DIR     anywhere:  DIR/lib/alstudio, DIR/bin, DIR/share
#
# Nothing is downloaded. Settings, logs and the demo project are written later, by the app, to
# the user's own folders (~/.config/alstudio, ~/.local/state/alstudio, ~/.local/share/alstudio),
# never into the install folder, which may be read-only. Run uninstall.sh (copied into the
# install folder) to remove the app; it keeps every project and the user's settings.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a folder}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

if [ -n "$prefix" ]; then
  mkdir -p "$prefix"
  prefix="$(cd "$prefix" && pwd)"
  appdir="$prefix/lib/alstudio" bindir="$prefix/bin" sharedir="$prefix/share"
elif [ "$(id -u)" = 0 ]; then
  appdir="/opt/alstudio" bindir="/usr/local/bin" sharedir="/usr/local/share"
else
  appdir="$HOME/.local/lib/alstudio" bindir="$HOME/.local/bin"
  sharedir="${XDG_DATA_HOME:-$HOME/.local/share}"
fi

if [ ! -x "$here/alstudio/alstudio" ]; then
  echo "install.sh: no alstudio/alstudio beside this script; unpack the whole tarball first" >&2
  exit 1
fi
if [ -e "$appdir" ] && [ ! -f "$appdir/.alstudio-install" ]; then
  echo "install.sh: $appdir exists and was not made by this installer; move it away first" >&2
  exit 1
fi

rm -rf "$appdir"
mkdir -p "$(dirname "$appdir")" "$bindir" "$sharedir/applications" "$sharedir/mime/packages" \
  "$sharedir/icons/hicolor/256x256/apps" "$sharedir/icons/hicolor/scalable/apps"
cp -a "$here/alstudio" "$appdir"
cp "$here/uninstall.sh" "$appdir/uninstall.sh"
chmod 755 "$appdir/uninstall.sh"

icon="$sharedir/icons/hicolor/256x256/apps/alstudio.png"
installed=(
  "$bindir/alstudio" "$bindir/alstudio-cli" "$sharedir/applications/alstudio.desktop"
  "$sharedir/mime/packages/alstudio.xml" "$icon" "$sharedir/icons/hicolor/scalable/apps/alstudio.svg"
)
ln -sfn "$appdir/alstudio" "$bindir/alstudio"
ln -sfn "$appdir/alstudio-cli" "$bindir/alstudio-cli"
cp "$here/share/alstudio.png" "$icon"
cp "$here/share/alstudio.svg" "$sharedir/icons/hicolor/scalable/apps/alstudio.svg"
cp "$here/share/alstudio-mime.xml" "$sharedir/mime/packages/alstudio.xml"
sed -e "s|@APPDIR@|$appdir|g" -e "s|@ICON@|$icon|g" "$here/share/alstudio.desktop" \
  > "$sharedir/applications/alstudio.desktop"

{ echo "# made by install.sh; uninstall.sh removes these and this folder"
  echo "sharedir=$sharedir"
  printf '%s\n' "${installed[@]}"; } > "$appdir/.alstudio-install"

# Refresh the desktop's caches where the tools exist; a machine without them still works.
command -v update-mime-database >/dev/null && update-mime-database "$sharedir/mime" || true
command -v update-desktop-database >/dev/null \
  && update-desktop-database -q "$sharedir/applications" || true
command -v gtk-update-icon-cache >/dev/null \
  && gtk-update-icon-cache -q -t -f "$sharedir/icons/hicolor" 2>/dev/null || true

echo "alstudio installed in $appdir"
echo "  start it from the applications menu, or run: $bindir/alstudio"
echo "  command-line verbs: $bindir/alstudio-cli --help"
case ":$PATH:" in *":$bindir:"*) ;; *) echo "  (add $bindir to PATH to type just 'alstudio')" ;; esac
echo "  to remove it: $appdir/uninstall.sh (projects and settings are kept)"
