# The two commands of the README:
#   make run   — the whole portal on this machine (web + worker + beat) with demo data
#   make test  — the test suite against PostgreSQL and Redis
# Both create .venv with python3.11 when it is missing and reinstall the project whenever
# pyproject.toml is newer than the last install: `make run` installs what running needs, the
# tests, linters and benchmarks install the dev extra on top (`make install-dev`).
# `make run DEBUG=1` shows Django's debug pages; by default a local run shows the portal's own
# Russian error pages (a command-line variable reaches the recipes' environment).

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev
DEMO_PASSWORD ?= pushkin883
PYTEST_ARGS ?=

.PHONY: install install-dev run test test-sqlite lint bench migrate

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $(INSTALLED)

$(INSTALLED_DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED) $(INSTALLED_DEV)

install: $(INSTALLED)

install-dev: $(INSTALLED_DEV)

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

# With nothing set this uses the embedded defaults (SQLite and a filesystem broker under var/);
# with DATABASE_URL and CELERY_BROKER_URL set, the same steps run against PostgreSQL and Redis.
run: migrate
	$(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"
	$(PY) manage.py setup_periodic_tasks
	$(PY) manage.py run_job --all
	$(PY) manage.py run_portal --password "$(DEMO_PASSWORD)"

# pytest-django makes a fresh test_<name> database on that server (--create-db); the tests that
# start a real Celery worker use the Redis database of CELERY_BROKER_URL.
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
test: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
test: install-dev
	@echo "Testing against $$DATABASE_URL and $$CELERY_BROKER_URL"
	@status=0; $(PY) -m pytest --create-db -p no:cacheprovider $(PYTEST_ARGS) tests || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests — that is a failure" >&2; fi; \
	exit $$status

# The suite again on the embedded default of `make run` (SQLite, Celery's filesystem broker): what
# the embedded portal offers must hold there too. Tests that need PostgreSQL carry the marker
# `postgresql` with the reason, and are skipped here (pytest -rs lists them with it).
test-sqlite: export DATABASE_URL = sqlite:///$(CURDIR)/var/test-sqlite/portal.sqlite3
test-sqlite: export PORTAL_VAR_DIR = $(CURDIR)/var/test-sqlite
test-sqlite: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
test-sqlite: install-dev
	@mkdir -p var/test-sqlite
	@echo "Testing against SQLite ($$DATABASE_URL) and $$CELERY_BROKER_URL"
	@status=0; $(PY) -m pytest --create-db -p no:cacheprovider $(PYTEST_ARGS) tests || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test-sqlite: pytest collected no tests — that is a failure" >&2; fi; \
	exit $$status

# The habits of STYLE.md: ruff (lint and format), the layers (import-linter), mypy with
# django-stubs, and no model change without its migration. .pre-commit-config.yaml runs the same.
lint: export DATABASE_URL = sqlite:///$(CURDIR)/var/lint/portal.sqlite3
lint: export PORTAL_VAR_DIR = $(CURDIR)/var/lint
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy

# Benchmarks are management commands (of the devtools app) that print figures, not tests. They
# need PostgreSQL; the database of DATABASE_URL is created when missing. Other benchmark commands
# get appended to this target, one line each.
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
bench: install-dev
	@$(PY) -c "import os, dj_database_url, psycopg2; \
	db = dj_database_url.parse(os.environ['DATABASE_URL']); \
	conn = psycopg2.connect(dbname='postgres', user=db['USER'], password=db['PASSWORD'], host=db['HOST'], port=db['PORT'] or 5432); \
	conn.autocommit = True; cur = conn.cursor(); \
	cur.execute('SELECT 1 FROM pg_database WHERE datname = %s', [db['NAME']]); \
	cur.fetchone() or cur.execute('CREATE DATABASE \"%s\"' % db['NAME'])"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bench_jobs
	$(PY) manage.py bench_import --rows 1000
	$(PY) manage.py bench_board --schools 40
	$(PY) manage.py bench_region --schools 40 --municipalities 2
	$(PY) manage.py bench_region --schools 400 --municipalities 20
	$(PY) manage.py bench_load --duration 45
	$(PY) manage.py bench_max_sync --chats 660
	@if command -v wrk >/dev/null; then $(PY) manage.py bench_invite; \
	else echo "bench_invite skipped: it drives gunicorn with wrk (apt-get install wrk)"; fi
