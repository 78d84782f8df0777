#!/usr/bin/env bash
# `make run`: start the local sandbox (seeded sample buckets, clearly not AWS) and open a shell where
# `s3aw` talks to it. With real AWS, run target/debug/s3aw with --profile instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target="${CARGO_TARGET_DIR:-$root/target}"
env_file=$(mktemp)
"$root/.venv/bin/python" "$root/tests/harness/sandbox.py" --port "${S3AW_SANDBOX_PORT:-4599}" --env-file "$env_file" >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$env_file"' EXIT
for _ in $(seq 1 150); do [ -s "$env_file" ] && break; kill -0 $pid 2>/dev/null || exit 1; sleep 0.2; done
# shellcheck disable=SC1090
. "$env_file"
export PATH="$target/debug:$PATH" S3AW_CONFIG_DIR="$root/tests/.artifacts/sandbox-config" S3AW_KEYCHAIN_SERVICE=s3-access-wizard-sandbox
echo "Local sandbox (no AWS account) at $AWS_ENDPOINT_URL: this is an emulator, not AWS."
s3aw whoami
s3aw buckets
if [ -t 0 ]; then
  echo
  echo "Try:  s3aw grant iam-user --bucket sample-reports --prefix q1 --access read --dry-run"
  echo "Type 'exit' to stop the sandbox."
  PS1="(s3aw sandbox) \$ " bash --norc -i
else
  s3aw grant iam-user --bucket sample-reports --prefix q1 --access read --dry-run
fi
