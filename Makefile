# Two commands matter on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PPU_STATE_DIR ?= $(CURDIR)/.state

.PHONY: venv lint fmt unit integration e2e test run console chromium services-up services-down bench crash-test fault-test toxiproxy schemas clean deploy-check

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null || { echo "$(PY) is missing: install Python 3.11 (with venv) first." >&2; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "installing the project and its tools into $(VENV) (log: $(VENV)/pip.log)"
	@$(BIN)/pip install -q --upgrade pip >$(VENV)/pip.log 2>&1 && \
	  $(BIN)/pip install -q -e '.[dev]' >>$(VENV)/pip.log 2>&1 || \
	  { tail -n 30 $(VENV)/pip.log >&2; echo "pip install failed; see $(VENV)/pip.log" >&2; exit 1; }
	@touch $@

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

services-up: $(STAMP)
	@deploy/local/services.sh up

services-down:
	deploy/local/services.sh down --wipe

# Integration and end-to-end tests list each test by name, so the log shows what ran against
# the real broker and database.
integration: $(STAMP) services-up
	. $(PPU_STATE_DIR)/env && $(BIN)/pytest tests/integration -v

# Debian's Chromium for the console's browser tests (Playwright drives it; it never downloads one).
chromium:
	deploy/local/chromium.sh

e2e: $(STAMP) chromium services-up
	. $(PPU_STATE_DIR)/env && $(BIN)/pytest tests/e2e -v

# SIGKILLs the service five times mid-stream; ends with `crash-test: outcomes_missing=0 ...`.
crash-test: $(STAMP) services-up
	. $(PPU_STATE_DIR)/env && $(BIN)/python -m tests.crash.crash_test

# Alert rules (promtool) and the Helm chart (helm lint, two renders, offline schema checks); the
# Go tools are built once with `go install` and cached under $${PPU_CACHE_DIR:-~/.cache/ppu-switch}/bin.
deploy-check: $(STAMP)
	deploy/local/deploy_check.sh $(BIN)/python

# Broker and PostgreSQL restarts, Toxiproxy network faults, three instances with kills, 5,000
# bad records, purchase-id duplicates; ends with `fault-test: scenarios=N outcomes_missing=0 ...`.
fault-test: $(STAMP) services-up toxiproxy
	. $(PPU_STATE_DIR)/env && $(BIN)/python -m tests.fault.fault_test

# Toxiproxy's server, built once with `go install` and cached beside the Kafka jars.
toxiproxy:
	deploy/local/toxiproxy.sh install >/dev/null

test: $(STAMP) lint deploy-check chromium services-up toxiproxy
	. $(PPU_STATE_DIR)/env && $(BIN)/pytest tests -v
	. $(PPU_STATE_DIR)/env && $(BIN)/python -m tests.crash.crash_test
	. $(PPU_STATE_DIR)/env && $(BIN)/python -m tests.fault.fault_test

console: $(STAMP) services-up
	. $(PPU_STATE_DIR)/env && $(BIN)/python -m service console

run: $(STAMP) services-up
	@. $(PPU_STATE_DIR)/env && exec deploy/local/run.sh

# Figures, never assertions: each benchmark prints its own and baselines measured in the same run.
# BENCH_ARGS go to the stream bench, e.g. make bench BENCH_ARGS="--events 1500 --paced-seconds 8".
bench: $(STAMP) services-up
	$(BIN)/python -m tests.bench.adapter_bench --seconds 10 --concurrency 16
	. $(PPU_STATE_DIR)/env && $(BIN)/python -m tests.bench.stream_bench $(BENCH_ARGS)

schemas: $(STAMP)
	$(BIN)/python -m schemas.export

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
