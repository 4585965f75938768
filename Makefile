# CME Tracker. Two commands set everything up on a fresh machine: `make demo` and `make test`.
# Run `make` or `make help` for the list.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
CME := $(VENV)/bin/cme
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

# The demo: fixed fictional data, no two-factor sign-in, static files served by whitenoise.
DEMO_ENV := CME_DEMO=1 CME_REQUIRE_2FA=0 CME_DEBUG=0

.PHONY: help bootstrap demo demo-data demo-reset serve test lint freeze bench clean distclean

help: ## List the targets
	@echo "CME Tracker: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

bootstrap: ## Create .venv (Python 3.12+) with the locked dependencies; quick when done already
	@scripts/bootstrap.sh

demo: demo-data ## Set up, load the demo data once, print the sign-ins and serve http://127.0.0.1:8000
	@$(MAKE) --no-print-directory serve

demo-data: bootstrap ## Migrate the database and load the demo data if it is not there yet
	@$(DEMO_ENV) $(CME) migrate --no-input -v 0
	@$(DEMO_ENV) $(CME) createcachetable
	@$(DEMO_ENV) $(CME) demo-data --if-empty

demo-reset: bootstrap ## Delete the demo database and load the demo data afresh
	@if [ -n "$${DATABASE_URL:-}" ]; then \
	    echo "demo-reset: DATABASE_URL is set; refusing to empty that database." >&2; exit 1; fi
	@db="$${CME_DATA_DIR:-var}/cme.sqlite3"; echo "Deleting $$db"; rm -f "$$db" "$$db-wal" "$$db-shm"
	@$(MAKE) --no-print-directory demo

serve: bootstrap ## Serve the demo (HOST=127.0.0.1 PORT=8000) without loading anything
	@mkdir -p "$${CME_DATA_DIR:-var}/static"  # whitenoise warns when STATIC_ROOT is missing
	@$(DEMO_ENV) CME_BASE_URL=http://$(HOST):$(PORT) $(CME) demo-data --sign-ins
	@echo "CME Tracker demo: http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@# The task worker beside the server sends the e-mails and delivers the hand-offs.
	@$(DEMO_ENV) CME_BASE_URL=http://$(HOST):$(PORT) $(CME) db_worker --no-reload -v 0 & worker=$$!; \
	    trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	    $(DEMO_ENV) CME_BASE_URL=http://$(HOST):$(PORT) $(CME) runserver --noreload $(HOST):$(PORT)

test: bootstrap lint ## Lint, then the whole test suite with browser tests (DATABASE_URL if set)
	@# pytest exits 5 when it collected no test: that is a failure here, never a pass.
	@echo "$(VENV)/bin/pytest $(PYTEST_ARGS)"
	@$(VENV)/bin/pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] && \
	    echo "make test: pytest collected no tests" >&2; exit $$rc; }

lint: bootstrap ## ruff, the import contracts (rooms depend downwards) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

freeze: bootstrap ## Lock pyproject.toml's dependencies into requirements*.txt (then commit them)
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.12 \
	    --custom-compile-command "make freeze" --quiet -o requirements.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -c requirements.txt --universal \
	    --python-version 3.12 --custom-compile-command "make freeze" --quiet -o requirements-dev.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra bench -c requirements-dev.txt \
	    --universal --python-version 3.12 --custom-compile-command "make freeze" --quiet \
	    -o requirements-bench.txt
	@scripts/bootstrap.sh

# Benchmarks are bench/*.py except the data makers (make_*.py, *data.py, movements_from_messy.py).
# BENCH=web runs one.
bench: bootstrap ## Run the benchmarks in bench/ (BENCH=web for one; see bench/README.md)
	@$(PY) -m pip install --quiet --progress-bar off -r requirements-bench.txt \
	    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
	@shopt -s nullglob; files=(); \
	for f in bench/$(or $(BENCH),*).py; do \
	    case "$$(basename $$f)" in make_*|*data.py|movements_from_messy.py) ;; *) files+=("$$f") ;; esac; done; \
	if [ $${#files[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(PY) "$$f" || exit $$?; done

clean: ## Remove caches and build output (keeps .venv and the demo database in var/)
	rm -rf .pytest_cache .ruff_cache test-results build dist src/*.egg-info var/static
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## Also remove .venv and var/ (the demo database)
	rm -rf $(VENV) var
