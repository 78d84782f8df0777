#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a real, unlocked GNOME Keyring (Secret Service).
# The keyring's files live in a temporary folder, so a user's real keyring is never touched.
#   tests/harness/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
if [ "${S3AW_IN_KEYRING:-}" = 1 ]; then exec "$@"; fi
tmp=$(mktemp -d /tmp/s3aw-keyring.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data" "$tmp/runtime" && chmod 700 "$tmp/runtime"
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/runtime" S3AW_IN_KEYRING=1
exec dbus-run-session -- bash -c '
  set -e
  # --unlock creates the login collection with this password and leaves it unlocked.
  eval "$(printf %s "s3aw-test-password" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export GNOME_KEYRING_CONTROL
  exec "$@"' bash "$@"
