#!/usr/bin/env bash
# Build dist/alstudio-VERSION-macos-ARCH-VARIANT.dmg from dist/alstudio.app (macOS only).
#
#   scripts/package.sh                 first: PyInstaller makes dist/alstudio.app on macOS
#   packaging/macos/make_dmg.sh        then: sign (if configured), make the DMG, notarise
#
# Signing and notarisation use the organisation's own Apple Developer ID; set, for example in
# the CI's secret store:
#   ALSTUDIO_SIGN_IDENTITY   "Developer ID Application: Example Hospital IT (TEAMID1234)"
#   ALSTUDIO_NOTARY_PROFILE  a keychain profile made once with
#                            `xcrun notarytool store-credentials PROFILE --apple-id ... --team-id ...`
# Without them the DMG is built unsigned (fine for testing; Gatekeeper will warn users).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
app="${1:-$root/dist/alstudio.app}"
[ -d "$app" ] || { echo "make_dmg.sh: no $app; run scripts/package.sh on macOS first" >&2; exit 1; }
version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/alstudio/__init__.py")"
info="$app/Contents/Resources/alstudio/build_info.json"
[ -f "$info" ] || info="$(find "$app" -name build_info.json -print -quit)"
variant="$(sed -n 's/.*"variant": "\([A-Za-z]*\)".*/\1/p' "$info" | tr 'A-Z' 'a-z')"
dmg="$root/dist/alstudio-$version-macos-$(uname -m)-${variant:-cpu}.dmg"

if [ -n "${ALSTUDIO_SIGN_IDENTITY:-}" ]; then
  # Hardened runtime (required for notarisation) with the entitlements Python and torch need.
  codesign --force --deep --timestamp --options runtime \
    --entitlements "$root/packaging/macos/entitlements.plist" \
    --sign "$ALSTUDIO_SIGN_IDENTITY" "$app"
  codesign --verify --deep --strict --verbose=2 "$app"
else
  echo "make_dmg.sh: ALSTUDIO_SIGN_IDENTITY is not set; the app stays unsigned" >&2
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"   # drag the app onto this link to install
rm -f "$dmg"
hdiutil create -volname "alstudio $version" -srcfolder "$stage" -fs HFS+ -format UDZO \
  -ov "$dmg"

if [ -n "${ALSTUDIO_SIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$ALSTUDIO_SIGN_IDENTITY" "$dmg"
fi
if [ -n "${ALSTUDIO_NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$dmg" --keychain-profile "$ALSTUDIO_NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"      # the ticket travels with the DMG: offline Macs accept it
  spctl --assess --type open --context context:primary-signature --verbose "$dmg"
else
  echo "make_dmg.sh: ALSTUDIO_NOTARY_PROFILE is not set; the DMG is not notarised" >&2
fi
echo "dmg: $dmg"
