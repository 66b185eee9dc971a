# Entry points the README and .ci/run use. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PIP := $(BIN)/pip install -q --disable-pip-version-check

.PHONY: help run serve test lint format openapi openapi-check migrate seed bench soak fuzz-memory lock clean
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:[^#]*## /\t/' | awk -F'\t' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python 3.11 or newer is needed (PYTHON=$(PYTHON))" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PIP) -r requirements-dev.lock
	@touch $@

run: $(VENV)/.runtime  ## create .venv, migrate, seed (sparing API edits) and serve on $(HOST):$(PORT)
	$(BIN)/trainwatch migrate
	$(BIN)/trainwatch seed
	$(BIN)/trainwatch serve --host $(HOST) --port $(PORT)

serve: $(VENV)/.runtime  ## serve without migrating or seeding
	$(BIN)/trainwatch serve --host $(HOST) --port $(PORT)

migrate: $(VENV)/.runtime  ## migrate the database to the newest schema
	$(BIN)/trainwatch migrate

seed: $(VENV)/.runtime  ## load what changed in app/data into the database
	$(BIN)/trainwatch seed

test: $(VENV)/.dev  ## lint, then the whole suite (in parallel) on SQLite and on PostgreSQL
	@bash scripts/run-tests $(PYTEST_ARGS)

lint: $(VENV)/.dev  ## ruff (style and format), mypy (types), import-linter (layers), hadolint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/hadolint Dockerfile

format: $(VENV)/.dev  ## format the code with ruff and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: $(VENV)/.runtime  ## record the success examples from the app, then regenerate openapi.json
	$(BIN)/trainwatch openapi openapi.json --examples

openapi-check: $(VENV)/.runtime  ## fail if openapi.json differs from the app's spec
	$(BIN)/trainwatch openapi openapi.json --check

bench: $(VENV)/.dev  ## measure throughput and memory; writes the table in docs/benchmark.md
	@bash scripts/bench $(BENCH_ARGS)

soak: $(VENV)/.dev  ## 5 minutes of mixed load against 2 workers on PostgreSQL (SOAK_SECONDS to change)
	$(BIN)/python bench/soak.py

fuzz-memory: $(VENV)/.dev  ## a worker's memory before and after 60,000 hostile requests, against its cache bounds
	$(BIN)/python bench/fuzz_memory.py

lock:  ## re-resolve the pinned versions from pyproject.toml into the lock files
	rm -rf /tmp/trainwatch-lock && $(PYTHON) -m venv /tmp/trainwatch-lock
	/tmp/trainwatch-lock/bin/pip install -q . && /tmp/trainwatch-lock/bin/pip freeze --exclude trainwatch > /tmp/tw-runtime.txt
	/tmp/trainwatch-lock/bin/pip install -q '.[dev]' && /tmp/trainwatch-lock/bin/pip freeze --exclude trainwatch > /tmp/tw-all.txt
	{ echo "# Runtime dependencies, pinned: every version \`make\` installs (regenerate with \`make lock\`)."; \
	  cat /tmp/tw-runtime.txt; } > requirements.lock
	{ echo "# Development and test dependencies on top of requirements.lock (regenerate with \`make lock\`)."; \
	  echo "-r requirements.lock"; grep -vxF -f /tmp/tw-runtime.txt /tmp/tw-all.txt; } > requirements-dev.lock

clean:  ## remove the virtual environment and build files
	rm -rf $(VENV) build *.egg-info
