#!/usr/bin/env bash
# Install what the build and the tests need, idempotently: Debian packages when missing, and a Python
# venv with the emulator and third-party AWS clients. Safe to run again; fast when everything is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

need_pkgs=(build-essential pkg-config libssl-dev libdbus-1-dev gnome-keyring dbus-x11 libsecret-tools python3-venv curl
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev xvfb xauth webkit2gtk-driver
  rclone gcc-mingw-w64-x86-64 wine wine64 nsis)
missing=()
for p in "${need_pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv="$root/.venv"
req="$root/tests/requirements.txt"
stamp="$venv/.requirements.sha"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating the Python venv for the emulator and test clients"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi

# npm packages for the UI (Vite, TypeScript, Vitest, the Tauri CLI), for the WebDriver tests, and the test
# oracle (tests/oracle: the independent IAM evaluator, pinned by its lock file; a test tool, never shipped).
for dir in ui tests/gui tests/oracle; do
  lock="$root/$dir/package-lock.json"
  stamp="$root/$dir/node_modules/.s3aw-lock.sha"
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing npm packages in $dir"
    # npm install, not npm ci: npm 11 drops other platforms' optional packages from the lock file, which
    # npm ci then rejects. With a lock file present, npm install installs exactly the locked versions.
    (cd "$root/$dir" && npm install --no-fund --no-audit --loglevel=error)
    echo "$want" > "$stamp"
  fi
done

# tauri-driver, the WebDriver server for Tauri apps, in a project-local folder.
if [ ! -x "$root/.tools/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked --root "$root/.tools" --quiet
fi

# The Windows target for `make cross-check` (the standard library for x86_64-pc-windows-gnu; mingw's gcc
# above builds the C code of the TLS stack for it).
# And macOS's (aarch64-apple-darwin): only type-checked, see tests/harness/apple/.
if command -v rustup >/dev/null 2>&1; then
  installed="$(rustup target list --installed)"
  for target in x86_64-pc-windows-gnu aarch64-apple-darwin; do
    if ! grep -qx "$target" <<<"$installed"; then
      echo "setup: adding the Rust target $target"
      rustup target add "$target" >/dev/null
    fi
  done
fi
