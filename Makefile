# Anemone: two commands. `make run` serves the portal, `make test` runs the whole suite.
# Both install what is missing first (Debian packages, then the venv) and are safe to re-run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

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

test: install-test
	$(VENV)/bin/ruff check .
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	ANEMONE_DATA_DIR=$$(mktemp -d /tmp/anemone-test.XXXXXX) $(VENV)/bin/pytest

bench: install-test
	$(PY) bench/run_all.py
