# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUNTIME_APT := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2
TEST_APT := chromium poppler-utils
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint typecheck bench bench-load services system-deps system-deps-test clean

## Set up everything (system packages, virtualenv, database, demo data) and serve the portal.
run: system-deps $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_communes
	$(PY) manage.py seed_demo
	@echo "Portail CPTS : http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

## Run the whole suite (unit, integration on PostgreSQL and Redis, browser). Fails if nothing ran.
test: system-deps system-deps-test $(VENV)/.dev node_modules/.installed services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

## Fast subset: no browser, no Celery worker.
test-fast: $(VENV)/.dev
	$(VENV)/bin/pytest -m "not e2e and not integration and not benchmark"

## Lint: ruff, and import-linter's layers between the apps (README, "Architecture").
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## Static typing: mypy with the django-stubs plugin over the application code (settings in pyproject.toml).
typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy

## Benchmarks print figures and ratios (not part of `make test`). Their files are bench_*.py: pytest is told to
## collect them (its default collects test_*.py only, and the target then ran nothing); an error exits non-zero.
bench: $(VENV)/.dev services
	$(VENV)/bin/pytest tests/benchmarks -m benchmark -s -p no:randomly -o python_files="bench_*.py"

## Load benchmark: gunicorn + wrk, 20 concurrent users, p50/p95 of the bare view and the dossier pages.
bench-load: system-deps $(VENV)/.dev services
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(PY) tests/benchmarks/load_test.py $(BENCH_LOAD_ARGS)

services:
	@bash scripts/ensure-services.sh

system-deps:
	@missing=$$(for p in $(RUNTIME_APT); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "apt-get install $$missing"; $(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

system-deps-test:
	@missing=$$(for p in $(TEST_APT); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "apt-get install $$missing"; $(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) var db.sqlite3 node_modules
