#!/usr/bin/env bash
# The .deb as a user gets it: check its metadata and contents, install it with dpkg, launch the installed
# app headless under Xvfb until its first screen is drawn, then uninstall it and check nothing is left.
# Needs root (or sudo) for dpkg. Run by `make package-test`, which CI runs after `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
deb=$(ls -t "$target"/release/bundle/deb/S3\ Access\ Wizard_*.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || { echo "no .deb under $target/release/bundle/deb: run make package first" >&2; exit 1; }
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
fail() { echo "FAIL: $*" >&2; exit 1; }
echo "package: $deb ($(du -h "$deb" | cut -f1))"

# Metadata a desktop user and apt see.
[ "$(dpkg-deb -f "$deb" Package)" = "s3-access-wizard" ] || fail "package name is $(dpkg-deb -f "$deb" Package)"
want=$(sed -n 's/^ *"version": "\(.*\)",/\1/p' "$root/src-tauri/tauri.conf.json" | head -1)
[ "$(dpkg-deb -f "$deb" Version)" = "$want" ] || fail "version $(dpkg-deb -f "$deb" Version) is not $want from tauri.conf.json"
# Read each field whole before matching: `grep -q` stops at the first match, and with pipefail a writer
# still writing then dies of SIGPIPE and fails the check at random.
description=$(dpkg-deb -f "$deb" Description)
grep -qF "Give safe, limited access to an Amazon S3 bucket" <<<"$description" || fail "no description"
depends=$(dpkg-deb -f "$deb" Depends)
grep -qF "libwebkit2gtk-4.1-0" <<<"$depends" || fail "does not depend on WebKitGTK"
contents=$(dpkg-deb -c "$deb")
for f in usr/bin/s3-access-wizard "usr/share/applications/S3 Access Wizard.desktop" usr/share/icons/hicolor/128x128/apps/s3-access-wizard.png; do
  grep -qF "$f" <<<"$contents" || fail "$f is not in the package"
done

# Install, and check the desktop entry that menus read.
$sudo dpkg -r s3-access-wizard >/dev/null 2>&1 || true
$sudo dpkg -i "$deb"
desktop="/usr/share/applications/S3 Access Wizard.desktop"
grep -q '^Exec=s3-access-wizard' "$desktop" || fail "desktop entry does not start the app"
grep -q '^Categories=Utility;' "$desktop" || fail "desktop entry has no category"
grep -q '^Icon=s3-access-wizard' "$desktop" || fail "desktop entry has no icon"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop"; fi

# Launch the installed binary headless and wait for the first screen.
work=$(mktemp -d)
source "$(dirname "$0")/../harness/xvfb.sh"
start_xvfb
xvfb=$XVFB_PID
app=""
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null
  kill "$xvfb" 2>/dev/null
  # The desktop portal may have mounted its document store (FUSE) in the private home.
  if mountpoint -q "$work/home/.cache/doc" 2>/dev/null; then fusermount -u "$work/home/.cache/doc" 2>/dev/null || umount -l "$work/home/.cache/doc" 2>/dev/null; fi
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$work/home"
# A private D-Bus session: whatever the app starts on the bus (portals, a11y) ends with it.
HOME="$work/home" S3AW_REPORT_READY=1 S3AW_CONFIG_DIR="$work/config" dbus-run-session -- /usr/bin/s3-access-wizard >"$work/out.log" 2>&1 &
app=$!
for _ in $(seq 1 600); do
  grep -q "s3aw-ready" "$work/out.log" && break
  kill -0 "$app" 2>/dev/null || { cat "$work/out.log" >&2; fail "the installed app exited before showing its first screen"; }
  sleep 0.1
done
line=$(grep "s3aw-ready" "$work/out.log" || true)
[ -n "$line" ] || { cat "$work/out.log" >&2; fail "no first screen within 60 s"; }
grep -q "Connect to your AWS account" <<<"$line" || fail "unexpected first screen: $line"
echo "installed app: $line"
kill "$app"; wait "$app" 2>/dev/null || true; app=""

# Uninstall: nothing of the package stays.
$sudo dpkg -r s3-access-wizard
[ ! -e /usr/bin/s3-access-wizard ] || fail "/usr/bin/s3-access-wizard is still there after dpkg -r"
[ ! -e "$desktop" ] || fail "the desktop entry is still there after dpkg -r"
echo "package test passed: installed, launched to the first screen, uninstalled"
