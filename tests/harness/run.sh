#!/usr/bin/env bash
# `make run`: start the local sandbox (an emulator seeded with sample buckets, clearly not AWS) and launch
# the app, which offers it as "Local sandbox (no AWS account)" next to your real AWS profiles.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target="${CARGO_TARGET_DIR:-$root/target}"
env_file=$(mktemp)
"$root/.venv/bin/python" "$root/tests/harness/sandbox.py" --port "${S3AW_SANDBOX_PORT:-4599}" --env-file "$env_file" >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$env_file"' EXIT
for _ in $(seq 1 150); do [ -s "$env_file" ] && break; kill -0 $pid 2>/dev/null || exit 1; sleep 0.2; done
endpoint=$(sed -n 's/^export AWS_ENDPOINT_URL=//p' "$env_file")
echo "Local sandbox (no AWS account) at $endpoint: an emulator, not AWS."
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: running the app under Xvfb (close it with Ctrl-C)."
  env S3AW_SANDBOX_ENDPOINT="$endpoint" xvfb-run -a -s "-screen 0 1280x900x24 -noreset" "$target/debug/s3-access-wizard"
  exit
fi
S3AW_SANDBOX_ENDPOINT="$endpoint" "$target/debug/s3-access-wizard"
