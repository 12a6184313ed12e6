# Two entry points: `make run` and `make test`. Each builds .venv by itself, from the lock
# files in requirements/ (exact versions; `make lock` refreshes them from pyproject.toml).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-$(shell cat pyproject.toml requirements/app.lock | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.dev-$(shell cat pyproject.toml requirements/dev.lock | cksum | cut -d' ' -f1)
HOST ?= localhost
PORT ?= 8501

.PHONY: run test test-fast test-js dev-env lint check bench bench-smoke demo-cluster lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml requirements/app.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/app.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml requirements/dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(DEV_STAMP) $(RUN_STAMP)

# The dev tools alone (no tests run): .ci/run uses them to check a fresh clone first.
dev-env: $(DEV_STAMP)

run: $(RUN_STAMP)
	$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# CHECK_ARGS: e.g. "--strict --sources DIR" to check every quote against your copy of the articles.
check: $(DEV_STAMP)
	$(BIN)/python -m explorer check $(CHECK_ARGS)

test: lint check test-js
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The front end's checks: ESLint, tsc --checkJs and node --test against vectors that Python
# writes (tests/js/write_vectors.py). Node and npm are dev tools only: nothing is built.
JS_STAMP := node_modules/.installed
JS_VECTORS := test-artifacts/js-vectors

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(JS_STAMP)

test-js: $(JS_STAMP) $(DEV_STAMP)
	$(BIN)/python -m tests.js.write_vectors $(JS_VECTORS)
	npx eslint .
	npx tsc -p jsconfig.json
	node --test --test-reporter=spec tests/js/*.test.mjs

# The inner loop: the unit and AppTest levels (no servers of their own, no browser).
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -q tests/unit tests/apptest $(PYTEST_ARGS)

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks

bench-smoke: $(DEV_STAMP)
	$(BIN)/python -m benchmarks --smoke --out test-artifacts/performance-smoke.md \
	  --json test-artifacts/performance-smoke.json

demo-cluster: $(DEV_STAMP)
	PYTHON=$(BIN)/python deploy/cluster.sh

# Refresh the lock files from pyproject.toml's ranges (needs network access to PyPI).
lock: $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra postgres -o requirements/app.lock --python-version 3.11 -q
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements/dev.lock --python-version 3.11 -q

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .mypy_cache
