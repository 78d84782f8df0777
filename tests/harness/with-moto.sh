#!/usr/bin/env bash
# Run a command with a fresh moto server on a free port; its URL is in S3AW_TEST_ENDPOINT.
#   tests/harness/with-moto.sh COMMAND [ARGS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
port=$("$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$root/tests/.artifacts"
"$root/.venv/bin/python" "$root/tests/harness/moto_server.py" -H 127.0.0.1 -p "$port" >"$root/tests/.artifacts/moto-rust.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null && break
  kill -0 $pid 2>/dev/null || { echo "moto did not start; see tests/.artifacts/moto-rust.log" >&2; exit 1; }
  sleep 0.2
done
export S3AW_TEST_ENDPOINT="http://127.0.0.1:$port"
"$@"
