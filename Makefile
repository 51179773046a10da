# Everything runs from a local virtual environment made from pinned dependencies.
# Only Python >= 3.11 is needed on the machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo-site

.PHONY: demo test lint typecheck check docs clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "topicwire needs Python >= 3.11 (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

## demo: serve the bundled demo corpus on 127.0.0.1, fetch it into ./demo-site, publish it and
## serve the published site on 127.0.0.1 (the URL is printed; Ctrl-C stops)
demo: $(STAMP)
	$(BIN)/topicwire demo $(DEMO) --replace
	$(BIN)/topicwire serve --static --site $(DEMO)

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

## docs: regenerate the CLI reference in README.md from --help
docs: $(STAMP)
	$(BIN)/python -m topicwire.clidoc README.md

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
