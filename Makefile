# Anemone: two commands. `make run` serves the portal, `make test` runs the whole suite.
# Both install what is missing first (Debian packages, then the venv) and are safe to re-run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The machine's PostgreSQL and Redis (python-svc); the suite also runs the service-facing tests on them.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/anemone
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
SERVICE_TESTS := tests/anemone/test_runs.py tests/anemone/test_schedules.py tests/anemone/test_queue.py

.PHONY: run test install install-test lint bench clean-var

install:
	bash scripts/install.sh

install-test:
	bash scripts/install.sh --test

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py ensure_schedules
	$(VENV)/bin/honcho -f Procfile start

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy anemone peers p2p usbbackup cloudbackup

test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy anemone peers p2p usbbackup cloudbackup
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	ANEMONE_DATA_DIR=$$(mktemp -d /tmp/anemone-test.XXXXXX) $(VENV)/bin/pytest
	@echo "== the run machinery and the task queue again, on PostgreSQL + the Redis broker =="
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) ANEMONE_DATA_DIR=$$(mktemp -d /tmp/anemone-test.XXXXXX) \
		$(VENV)/bin/pytest $(SERVICE_TESTS)

bench: install-test
	$(PY) bench/run_all.py
