#!/usr/bin/env bash
# Build the one-folder bundle with PyInstaller and the Linux tarball around it.
#
#   scripts/package.sh                    build dist/alstudio, then dist/alstudio-VERSION-linux-ARCH-VARIANT.tar.gz
#   scripts/package.sh --bundle DIR       package an already built bundle (no PyInstaller run)
#   scripts/package.sh --out DIR          write the tarball (and its staging folder) to DIR
#   ALSTUDIO_VARIANT=cuda scripts/package.sh   the CUDA variant (the build venv must hold CUDA torch)
#
# Uses $PYTHON (default: .venv/bin/python) with PyInstaller installed
# (ALSTUDIO_EXTRAS=dev,package scripts/setup.sh, or `make package`, installs it).
# The tarball holds alstudio/ (the bundle), install.sh, uninstall.sh, share/ (desktop entry,
# MIME type, icons) and README.txt; see packaging/README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
bundle="" out="$root/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle="${2:?--bundle needs a folder}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [ -z "$bundle" ]; then
  if ! "$python" -c "import PyInstaller" 2>/dev/null; then
    echo "package.sh: PyInstaller is missing in $python;" \
         "run ALSTUDIO_EXTRAS=dev,package scripts/setup.sh first" >&2
    exit 1
  fi
  started=$(date +%s)
  (cd "$root" && PYTHONPATH="$root" "$python" -m PyInstaller --noconfirm --log-level WARN \
     --distpath "$out" --workpath "$root/build/pyinstaller" packaging/alstudio.spec)
  echo "bundle built in $(( $(date +%s) - started )) s: $out/alstudio"
  bundle="$out/alstudio"
fi
bundle="$(cd "$bundle" && pwd)"
[ -x "$bundle/alstudio" ] || { echo "package.sh: no executable $bundle/alstudio" >&2; exit 1; }

version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/alstudio/__init__.py")"
info="$(find "$bundle" -path '*/alstudio/build_info.json' -print -quit)"
if [ -n "$info" ]; then
  variant="$(sed -n 's/.*"variant": "\([A-Za-z]*\)".*/\1/p' "$info" | tr 'A-Z' 'a-z')"
else
  variant="${ALSTUDIO_VARIANT:-cpu}"
fi
name="alstudio-$version-linux-$(uname -m)-$variant"
stage="$out/$name"

rm -rf "$stage"
mkdir -p "$stage/share"
cp -a "$bundle" "$stage/alstudio"
cp "$root/packaging/linux/install.sh" "$root/packaging/linux/uninstall.sh" "$stage/"
chmod 755 "$stage/install.sh" "$stage/uninstall.sh"
cp "$root/packaging/linux/alstudio.desktop" "$root/packaging/linux/alstudio-mime.xml" \
   "$root/resources/icons/alstudio.png" "$root/resources/icons/alstudio.svg" "$stage/share/"
cat > "$stage/README.txt" <<EOF
alstudio $version ($variant build) for Linux $(uname -m)

Install for yourself:   ./install.sh            (~/.local/lib/alstudio, menu entry, .alstudio files)
Install for everyone:   sudo ./install.sh       (/opt/alstudio)
Install elsewhere:      ./install.sh --prefix /some/folder
Remove:                 <install folder>/uninstall.sh   (projects and settings are kept)
Run without installing: ./alstudio/alstudio     (command line: ./alstudio/alstudio-cli --help)

Nothing is downloaded, at install or at run time.
EOF

tar -C "$out" -czf "$out/$name.tar.gz" "$name"
rm -rf "$stage"
echo "tarball: $out/$name.tar.gz ($(du -m "$out/$name.tar.gz" | cut -f1) MB)"
