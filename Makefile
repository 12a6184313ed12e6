# Two entry points: `make run` and `make test`. Each builds .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= localhost
PORT ?= 8501

.PHONY: run test lint check bench bench-smoke demo-cluster clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# CHECK_ARGS: e.g. "--strict --sources DIR" to check every quote against your copy of the articles.
check: $(STAMP)
	$(BIN)/python -m explorer check $(CHECK_ARGS)

test: lint check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks --smoke --out test-artifacts/performance-smoke.md \
	  --json test-artifacts/performance-smoke.json

demo-cluster: $(STAMP)
	PYTHON=$(BIN)/python deploy/cluster.sh

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
