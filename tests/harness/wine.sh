#!/usr/bin/env bash
# Run a Windows program under Wine, in the project's own Wine prefix (created on first use). Used by
# `make wine-test`: the engine's unit tests and the CLI's Windows build run through it.
#   tests/harness/wine.sh PROGRAM.exe [ARGS...]
# Wine 8 (Debian 12) has no bcryptprimitives.dll, which Rust's standard library (1.78+) asks for its random
# numbers (ProcessPrng); tests/harness/wine/bcryptprimitives.c is a stand-in that answers from RtlGenRandom,
# built with mingw and put into the prefix. Nothing else is changed in Wine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export WINEPREFIX="${S3AW_WINEPREFIX:-$root/tests/.artifacts/wineprefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
  mkdir -p "$(dirname "$WINEPREFIX")"
  wineboot --init >/dev/null 2>&1 || true
  x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    "$root/tests/harness/wine/bcryptprimitives.c" -ladvapi32
fi
exec wine "$@"
