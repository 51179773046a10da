# Everything runs from a local virtual environment made from pinned dependencies.
# Only Python >= 3.11 is needed on the machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo-site
SHARED ?= ../shared

.PHONY: demo test lint typecheck check docs clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "topicwire needs Python >= 3.11 (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

## demo: create a site, import the example records (and the shared seed, when present), list them
demo: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/topicwire init $(DEMO) --topic AI
	$(BIN)/topicwire import --site $(DEMO) examples/records $(wildcard $(SHARED)/seeds/001_*.txt)
	$(BIN)/topicwire list --site $(DEMO)

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

## docs: regenerate the CLI reference in README.md from --help
docs: $(STAMP)
	$(BIN)/python -m topicwire.clidoc README.md

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
