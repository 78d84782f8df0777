# S3 Access Wizard: the two commands that matter are `make run` and `make test`.
# Both install what they need first (Debian packages when missing, the Python venv for the emulator).

CARGO ?= cargo
HARNESS := tests/harness

.PHONY: run test setup build unit e2e clean

setup:
	@bash $(HARNESS)/setup.sh

build: setup
	$(CARGO) build --workspace

## Build, then start the local sandbox and a shell where `s3aw` talks to it.
run: build
	@bash $(HARNESS)/run.sh

## Every test: unit tests, the engine against moto and a real keyring, and the end-to-end CLI suites.
test: build unit e2e

unit:
	bash $(HARNESS)/with-keyring.sh bash $(HARNESS)/with-moto.sh $(CARGO) test --workspace -- --include-ignored

e2e:
	bash $(HARNESS)/with-keyring.sh .venv/bin/python -m pytest -q tests/e2e

clean:
	rm -rf .venv tests/.artifacts
