# Everything runs from a local virtual environment made from pinned dependencies.
# Only Python >= 3.11 is needed on the machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo-site

.PHONY: demo test lint typecheck check docs fuzz clean

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

## fuzz: run each atheris fuzz target in fuzz/ for FUZZ_SECONDS (default 600) seconds, one after
## another (FUZZ_TARGETS picks some); seeds are built from ../shared when present, atheris is
## installed into the venv on first use; crashes are written to fuzz/artifacts/<target>/.
## Not part of `check` or CI.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= feed jsonfeed opml sitemap record html urls
SHARED       ?= ../shared
fuzz: $(STAMP)
	@$(BIN)/python -c 'import atheris' 2>/dev/null || \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check 'atheris>=2.3'
	$(BIN)/python fuzz/build_corpus.py --shared $(SHARED) --out fuzz/corpus $(FUZZ_TARGETS)
	@failed=; for target in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/artifacts/$$target; \
		dict=$$(sed -n 's/^Dictionary: //p' fuzz/fuzz_$$target.py); \
		echo "== fuzz $$target for $(FUZZ_SECONDS) s"; \
		$(BIN)/python fuzz/fuzz_$$target.py fuzz/corpus/$$target -max_total_time=$(FUZZ_SECONDS) \
			-timeout=25 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=fuzz/artifacts/$$target/ $${dict:+-dict=fuzz/$$dict} \
			|| failed="$$failed $$target"; \
	done; \
	test -z "$$failed" || { echo "fuzz: crashes in:$$failed (see fuzz/artifacts/)"; exit 1; }

## docs: regenerate the CLI reference in README.md from --help
docs: $(STAMP)
	$(BIN)/python -m topicwire.clidoc README.md

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
