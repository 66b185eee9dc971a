# Entry points the README and .ci/run use. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PIP := $(BIN)/pip install -q --disable-pip-version-check

.PHONY: run serve test lint openapi openapi-check migrate seed bench soak lock clean

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

serve: $(VENV)/.runtime
	$(BIN)/trainwatch serve --host $(HOST) --port $(PORT)

migrate: $(VENV)/.runtime
	$(BIN)/trainwatch migrate

seed: $(VENV)/.runtime
	$(BIN)/trainwatch seed

test: $(VENV)/.dev  ## lint, then the whole suite on SQLite and on PostgreSQL
	@bash scripts/run-tests $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile

openapi: $(VENV)/.runtime
	$(BIN)/trainwatch openapi openapi.json

openapi-check: $(VENV)/.runtime
	$(BIN)/trainwatch openapi openapi.json --check

bench: $(VENV)/.dev
	@bash scripts/bench $(BENCH_ARGS)

soak: $(VENV)/.dev  ## 5 minutes of mixed load against 2 workers on PostgreSQL (SOAK_SECONDS to change)
	$(BIN)/python bench/soak.py

lock:  ## re-resolve the pinned versions from pyproject.toml into the lock files
	rm -rf /tmp/trainwatch-lock && $(PYTHON) -m venv /tmp/trainwatch-lock
	/tmp/trainwatch-lock/bin/pip install -q . && /tmp/trainwatch-lock/bin/pip freeze --exclude trainwatch > /tmp/tw-runtime.txt
	/tmp/trainwatch-lock/bin/pip install -q '.[dev]' && /tmp/trainwatch-lock/bin/pip freeze --exclude trainwatch > /tmp/tw-all.txt
	{ echo "# Runtime dependencies, pinned: every version \`make\` installs (regenerate with \`make lock\`)."; \
	  cat /tmp/tw-runtime.txt; } > requirements.lock
	{ echo "# Development and test dependencies on top of requirements.lock (regenerate with \`make lock\`)."; \
	  echo "-r requirements.lock"; grep -vxF -f /tmp/tw-runtime.txt /tmp/tw-all.txt; } > requirements-dev.lock

clean:
	rm -rf $(VENV) build *.egg-info
