#!/usr/bin/env bash
# Build the Windows installer (NSIS, per-user) from the cross-compiled release build:
#   src-tauri/windows/build-installer.sh [PROFILE_DIR]
# PROFILE_DIR defaults to $CARGO_TARGET_DIR/x86_64-pc-windows-gnu/release and must hold
# s3-access-wizard.exe, s3aw.exe and WebView2Loader.dll. Prints the installer's path.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
src="${1:-${CARGO_TARGET_DIR:-$root/target}/x86_64-pc-windows-gnu/release}"
for f in s3-access-wizard.exe s3aw.exe WebView2Loader.dll; do
  if [ ! -f "$src/$f" ]; then
    echo "build-installer: $src/$f is missing; build the Windows release first (make windows)" >&2
    exit 1
  fi
done
if ! command -v makensis >/dev/null; then
  echo "build-installer: makensis is missing; install Debian's nsis package (make setup does)" >&2
  exit 1
fi
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$root/src-tauri/tauri.conf.json")
window_class=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app"]["windows"][0]["windowClassname"])' "$root/src-tauri/tauri.conf.json")
size_kb=$(( ($(stat -c %s "$src/s3-access-wizard.exe") + $(stat -c %s "$src/s3aw.exe") + $(stat -c %s "$src/WebView2Loader.dll")) / 1024 ))
out_dir="$src/bundle/nsis"
mkdir -p "$out_dir"
out="$out_dir/S3 Access Wizard_${version}_x64-setup.exe"
makensis -V2 -NOCD \
  "-DVERSION=$version" "-DSRC=$src" "-DICON=$root/icons/icon.ico" "-DOUTFILE=$out" "-DSIZE_KB=$size_kb" "-DWINDOWCLASS=$window_class" \
  "$root/src-tauri/windows/installer.nsi" >&2
echo "$out"
