#!/usr/bin/env bash
# The CLI's Windows build, under Wine: what `S3AW_BIN` points the e2e tests at in `make wine-test`.
root=$(cd "$(dirname "$0")/../.." && pwd)
exec "$root/tests/harness/wine.sh" "${CARGO_TARGET_DIR:-$root/target}/x86_64-pc-windows-gnu/debug/s3aw.exe" "$@"
