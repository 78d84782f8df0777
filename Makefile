# S3 Access Wizard: the two commands that matter are `make run` and `make test`.
# Both install what they need first (Debian packages when missing, the Python venv for the emulator,
# npm packages, tauri-driver).

CARGO ?= cargo
HARNESS := tests/harness
TAURI := ui/node_modules/.bin/tauri

.PHONY: run test setup ui build app app-test unit e2e ui-test gui bench bare-window clean package package-test cross-check wine-test windows

setup:
	@bash $(HARNESS)/setup.sh

ui: setup
	cd ui && npm run --silent build

build: ui
	$(CARGO) build --workspace

## The desktop app, debug build with the UI embedded.
app: ui
	$(TAURI) build --debug --no-bundle

## The same, as a test build: its own bundle identifier and keychain service name.
app-test: ui
	$(TAURI) build --debug --no-bundle --config src-tauri/tauri.test.conf.json --features test-build

## Build and launch the app, with a local sandbox (an emulator with sample buckets, not AWS) to explore.
run: app
	@bash $(HARNESS)/run.sh

## Every test: unit, the engine against moto and a real keyring, the CLI end to end, the UI's unit tests,
## and the app end to end through its real window.
test: build unit e2e ui-test app-test gui cross-check wine-test

unit:
	bash $(HARNESS)/with-keyring.sh bash $(HARNESS)/with-moto.sh $(CARGO) test --workspace -- --include-ignored

e2e:
	bash $(HARNESS)/with-keyring.sh .venv/bin/python -m pytest -q tests/e2e

ui-test:
	cd ui && npx vitest run

gui:
	bash $(HARNESS)/with-keyring.sh bash tests/gui/run.sh

## The release app and its .deb (Tauri's bundler), in target/release/bundle/deb/.
package: ui
	$(TAURI) build --bundles deb

## Install the .deb with dpkg, launch it headless to its first screen, uninstall it (needs root or sudo).
## Slow (a release build), so not in `make test`; CI runs it after `make test`.
package-test: package
	bash tests/package/test-deb.sh

## Type-check the engine, the CLI and the desktop app for Windows (x86_64-pc-windows-gnu, with mingw for the
## TLS stack's C code) and for macOS (aarch64-apple-darwin: every Rust crate; the TLS stack's C code needs
## Apple's SDK, so a toolchain that compiles nothing stands in for it, see tests/harness/apple/README.md).
## Part of `make test`.
APPLE_STUB := $(CURDIR)/$(HARNESS)/apple
cross-check: ui
	$(CARGO) check --target x86_64-pc-windows-gnu -p s3aw-core -p s3aw -p s3aw-desktop
	CC_aarch64_apple_darwin=$(APPLE_STUB)/cc CXX_aarch64_apple_darwin=$(APPLE_STUB)/cc \
	  AR_aarch64_apple_darwin=$(APPLE_STUB)/ar \
	  $(CARGO) check --target aarch64-apple-darwin -p s3aw-core -p s3aw -p s3aw-desktop

## The Windows build under Wine: the engine's unit tests, and the CLI's end-to-end tests that matter most on
## Windows (tests/e2e/test_platform.py: CSV, AWS profile in %USERPROFILE%\.aws, CRLF files, Credential
## Manager through credential-process). Part of `make test`.
WINEPREFIX_DIR = $(CURDIR)/tests/.artifacts/wineprefix
wine-test: setup
	$(CARGO) build --target x86_64-pc-windows-gnu -p s3aw
	S3AW_WINEPREFIX=$(WINEPREFIX_DIR) CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$(CURDIR)/tests/harness/wine.sh \
	  $(CARGO) test --target x86_64-pc-windows-gnu -p s3aw-core --lib
	S3AW_WINEPREFIX=$(WINEPREFIX_DIR) S3AW_BIN=$(CURDIR)/tests/harness/wine-s3aw.sh \
	  bash $(HARNESS)/with-keyring.sh .venv/bin/python -m pytest -q tests/e2e/test_platform.py

## The Windows release, cross-compiled with mingw (x86_64-pc-windows-gnu): the app, the CLI, and the
## per-user NSIS installer (src-tauri/windows/installer.nsi, Debian's makensis), in
## target/x86_64-pc-windows-gnu/release/bundle/nsis/. Then the installer under Wine (tests/windows): install,
## Installed apps entry, the CLI from its installed place, the app's message without WebView2, uninstall.
## A second release build, so outside `make test`; CI runs it after the package test.
windows: ui
	$(TAURI) build --target x86_64-pc-windows-gnu --no-bundle
	$(CARGO) build --release --target x86_64-pc-windows-gnu -p s3aw
	installer="$$(bash src-tauri/windows/build-installer.sh)" && \
	  S3AW_WINEPREFIX=$(WINEPREFIX_DIR) S3AW_INSTALLER="$$installer" \
	  .venv/bin/python -m pytest -q -p no:cacheprovider tests/windows

clean:
	rm -rf .venv .tools tests/.artifacts ui/dist

## A bare Tauri window with the same Tauri and bundle settings, the yardstick for the app's figures.
bare-window: setup
	cd tests/bench/bare-window && ../../../$(TAURI) build --bundles deb

## Benchmarks against the tools people use today (figures printed and written to tests/.artifacts/).
bench: setup package app-test bare-window windows
	$(CARGO) build --release -p s3aw
	.venv/bin/pip install -q -r tests/bench/requirements.txt
	.venv/bin/python tests/bench/bench.py
