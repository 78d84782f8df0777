#!/usr/bin/env bash
# Benchmark 5 in a private keyring session and Xvfb display; prints the JSON line of browser.mjs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../harness/with-keyring.sh" bash -c '
source "'"$here"'/../harness/xvfb.sh"
start_xvfb
trap "kill $XVFB_PID 2>/dev/null || true" EXIT
node "'"$here"'/browser.mjs" 2>/dev/null
'
