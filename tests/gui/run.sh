#!/usr/bin/env bash
# Run the end-to-end tests through the real window: a private Xvfb display, then node's test runner.
# Call it inside tests/harness/with-keyring.sh (make test does).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
display=":$((90 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
export DISPLAY="$display"
cd "$here"
node --test --test-concurrency=1 "$@" ${GUI_TESTS:-wizard.test.mjs access.test.mjs role.test.mjs settings.test.mjs links.test.mjs}
