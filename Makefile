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
	@$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' INT TERM EXIT; \
	for i in $$(seq 60); do \
	  curl -sf http://127.0.0.1:$(PORT)/_stcore/health >/dev/null && break; sleep 0.5; done; \
	curl -sf -m 30 http://127.0.0.1:$(PORT)/_stcore/script-health-check >/dev/null \
	  || echo "warning: the app did not warm up; see the messages above"; \
	wait $$pid

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
