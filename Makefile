# fmstoolkit: `make run` and `make test` are the two commands of the README.
# Both are idempotent: the virtualenv is rebuilt only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FMS    := $(BIN)/fms
DB     ?= data/fms.db
LAB_PORT ?= $(or $(FMS_LAB_PORT),8888)
DATASETTE_PORT ?= $(or $(FMS_DATASETTE_PORT),8001)

.PHONY: run test bench lint install dev-install system-deps demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev-install: $(VENV)/.installed-dev

# System programs the tests need (a headless Chromium for the browser tests).
system-deps:
	@bash .ci/system-deps.sh

# The demo agency, built once (delete the file or run `fms demo --force` for a fresh one).
$(DB): | $(VENV)/.installed
	$(FMS) demo --db $(DB)

demo: $(DB)

run: $(VENV)/.installed $(DB)
	@bash scripts/run.sh "$(DB)" "$(LAB_PORT)" "$(DATASETTE_PORT)"

test: $(VENV)/.installed-dev system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	@for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
