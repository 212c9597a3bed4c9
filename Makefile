# Anemone: two commands. `make run` serves the portal, `make test` runs the whole suite.
# Both install what is missing first (Debian packages, then the venv) and are safe to re-run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The whole suite runs twice, side by side: on the embedded default (SQLite + django-q2's database broker)
# and on PostgreSQL + the Redis broker, servers of its own (tests/fixtures/services.py: throwaway cluster
# and redis-server on free ports, whatever the machine runs). Each pass spreads its test files over
# TEST_WORKERS pytest-xdist workers (the suite mostly waits on servers, engines and the browser).
# One pass alone: `make test-sqlite` / `make test-postgres`; a subset: PYTEST_ARGS=tests/anemone.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=
PYTEST := $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

.PHONY: run test test-sqlite test-postgres checks install install-test lint bench clean-var lock

install:
	bash scripts/install.sh

install-test:
	bash scripts/install.sh --test

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py ensure_schedules
	$(PY) scripts/supervise.py Procfile

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy anemone peers p2p usbbackup cloudbackup

test: install-test checks
	@echo "== the whole suite, twice in parallel: SQLite, and PostgreSQL + Redis (each pass printed when it ends) =="
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

checks:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy anemone peers p2p usbbackup cloudbackup
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite:
	@echo "== the whole suite on the embedded default: SQLite + django-q2's database broker =="
	env -u DATABASE_URL -u REDIS_URL $(PYTEST)

test-postgres:
	@echo "== the whole suite on PostgreSQL + the Redis broker (a throwaway cluster and server of its own) =="
	$(PY) -m tests.fixtures.services -- $(PYTEST)

bench: install-test
	$(PY) bench/run_all.py

# Refresh requirements.lock within pyproject.toml's ranges (exact versions + hashes; install.sh installs from it).
lock:
	$(PY) -m pip install -q pip-tools
	$(VENV)/bin/pip-compile --all-build-deps --allow-unsafe --extra=dev --extra=postgres --extra=redis \
		--generate-hashes --no-emit-find-links --no-emit-index-url --strip-extras \
		--output-file=requirements.lock pyproject.toml
