#!/usr/bin/env bash
# Benchmark 5 in a private keyring session and Xvfb display; prints the JSON line of browser.mjs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../harness/with-keyring.sh" bash -c '
display=":$((300 + RANDOM % 200))"
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp -noreset >/dev/null 2>&1 &
xvfb=$!
trap "kill $xvfb 2>/dev/null || true" EXIT
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
DISPLAY="$display" node "'"$here"'/browser.mjs" 2>/dev/null
'
