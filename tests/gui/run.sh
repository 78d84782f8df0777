#!/usr/bin/env bash
# Run the end-to-end tests through the real window: a private Xvfb display, then node's test runner.
# Call it inside tests/harness/with-keyring.sh (make test does).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Xvfb with -noreset (tests/harness/xvfb.sh): by default an X server resets when its last client
# disconnects, and a client connecting during the reset is refused. Each test ends its app and the next
# starts at once, so without it GTK sometimes could not open the display ("Failed to initialize GTK";
# reproduced with xdpyinfo in a loop: about 5% of connections refused around resets, none with -noreset).
source "$here/../harness/xvfb.sh"
start_xvfb
trap 'kill $XVFB_PID 2>/dev/null || true' EXIT
cd "$here"
# One file at a time. WebKit's compositor sometimes segfaults in Mesa's software renderer under Xvfb
# (swrast_dri.so; the kernel log shows it), which WebDriver reports as "page crash". A file that failed
# that way, and only that way, runs once more. Any other failure fails at once.
status=0
for file in ${GUI_TESTS:-wizard.test.mjs signin.test.mjs access.test.mjs role.test.mjs settings.test.mjs links.test.mjs ends.test.mjs share.test.mjs guide.test.mjs recover.test.mjs why.test.mjs}; do
  out=$(mktemp)
  if node --test --test-concurrency=1 "$@" "$file" 2>&1 | tee "$out"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    rm -f "$out"
    continue
  fi
  if grep -qE "because of page crash" "$out" && ! grep -qE "AssertionError|ERR_ASSERTION" "$out"; then
    echo "gui: $file lost its page to a WebKit renderer crash (not an assertion); running it once more" >&2
    node --test --test-concurrency=1 "$@" "$file" || status=1
  else
    status=1
  fi
  rm -f "$out"
done
exit $status
