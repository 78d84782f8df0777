#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a real, unlocked GNOME Keyring (Secret Service).
# The keyring's files live in a temporary folder, so a user's real keyring is never touched.
#   tests/harness/with-keyring.sh COMMAND [ARGS...]
#
# The daemon runs in the foreground under a small supervisor: should it ever exit (CI once saw it vanish
# mid-suite, after which D-Bus started a fresh daemon whose login collection was locked and every later
# keychain call failed), it is started again with the same password, replacing any daemon D-Bus started
# meanwhile, so the same (persisted) login collection is unlocked again. The command starts only once the
# Secret Service answers on the bus.
set -euo pipefail
if [ "${S3AW_IN_KEYRING:-}" = 1 ]; then exec "$@"; fi
tmp=$(mktemp -d /tmp/s3aw-keyring.XXXXXX)
mkdir -p "$tmp/data" "$tmp/runtime" && chmod 700 "$tmp/runtime"
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/runtime" S3AW_IN_KEYRING=1
status=0
dbus-run-session -- bash -c '
  set -e
  (
    while :; do
      # --unlock creates the login collection with this password (or opens the saved one) and unlocks it.
      printf %s "s3aw-test-password" | gnome-keyring-daemon --foreground --replace --unlock --components=secrets >/dev/null 2>&1 || true
      sleep 0.2
    done
  ) &
  supervisor=$!
  for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
      break
    fi
    sleep 0.1
  done
  set +e
  "$@"
  rc=$?
  kill $supervisor 2>/dev/null
  pkill -P $supervisor 2>/dev/null
  exit $rc' bash "$@" || status=$?
rm -rf "$tmp"
exit $status
