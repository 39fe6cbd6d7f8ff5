# fmstoolkit: `make run` and `make test` are the two commands of the README.
# Both are idempotent: the virtualenv is rebuilt only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FMS    := $(BIN)/fms
# The database of `make run` / `make demo`: FMS_DB (environment or .env), else data/fms.db.
DB     ?=
LAB_PORT ?= $(or $(FMS_LAB_PORT),8888)
DATASETTE_PORT ?= $(or $(FMS_DATASETTE_PORT),8001)
APPS_PORT ?= $(or $(FMS_APPS_PORT),8866)

.PHONY: run test test-any-date bench lint install dev-install system-deps demo clean catalogues

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

# The gettext catalogues, compiled from the .po files (installing compiles them too: setup.py).
PO := $(wildcard fmstoolkit/locale/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)
%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel --quiet compile -i $< -o $@

catalogues: $(MO)

dev-install: $(VENV)/.installed-dev

# System programs the tests need (a headless Chromium, faketime for test-any-date).
system-deps:
	@bash .ci/system-deps.sh

# The demo agency, kept current: built when missing, rebuilt when it was built for another day,
# never touching a database that is not a demo (`fms demo --refresh`).
demo: $(VENV)/.installed
	FMS_HOME="$(CURDIR)" $(FMS) demo $(if $(DB),--db $(DB)) --refresh

run: demo catalogues
	@DB="$(DB)" bash scripts/run.sh "$(LAB_PORT)" "$(DATASETTE_PORT)" "$(APPS_PORT)"

test: $(VENV)/.installed-dev system-deps catalogues
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The whole suite with the machine's clock a year and five years ahead (libfaketime).
test-any-date: $(VENV)/.installed-dev system-deps
	faketime -f '+400d' $(BIN)/python -m pytest -q $(PYTEST_ARGS)
	faketime -f '+1826d' $(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	@for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
