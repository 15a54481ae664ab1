# Volière: `make run` serves the portal, `make test` runs lint and every test. See README.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
MANAGE := $(PY) manage.py
export UV_LINK_MODE ?= copy

.PHONY: help uv venv system-deps db migrate translations setup demo run worker beat test lint format e2e bench messages clean

help:
	@echo "make run    set everything up and serve http://127.0.0.1:8000 with a Celery worker and beat"
	@echo "make test   set everything up, then lint and run the whole test suite (browser tests too)"
	@echo "make bench  run the benchmarks in bench/"

uv:
	@command -v uv >/dev/null 2>&1 || test -x $(HOME)/.local/bin/uv || \
		(echo "Installing uv..." && python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv)

venv: uv
	@$(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv) sync --frozen --quiet

# Chromium (browser tests), gettext (translations) and Pango (PDFs) from Debian, when missing.
system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	ldconfig -p | grep -q libpangoft2 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then echo "Installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "Please install with your package manager:$$missing"; exit 1; fi; \
	fi

db: venv
	@$(MANAGE) ensure_database

migrate: db
	@$(MANAGE) migrate --noinput

translations: venv
	@$(MANAGE) compilemessages --ignore=.venv --verbosity 0

setup: system-deps venv migrate translations

demo: setup
	@$(MANAGE) seed_demo

run: demo
	@mkdir -p var/mail
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C stops the web server, the worker and beat)."
	@.venv/bin/honcho start -f Procfile.dev

lint: venv
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/mypy
	@$(MANAGE) makemigrations --check --dry-run >/dev/null || (echo "Models changed without a migration: run makemigrations." && exit 1)
	@# Every catalogue but English (the language of the source) is complete: nothing untranslated, nothing fuzzy.
	@for po in $(filter-out locale/en/%,$(wildcard locale/*/LC_MESSAGES/*.po)); do \
		stats=$$(LC_ALL=C msgfmt --check --statistics -o /dev/null $$po 2>&1) || { echo "$$po: $$stats"; exit 1; }; \
		case "$$stats" in *untranslated*|*fuzzy*) echo "$$po is incomplete: $$stats"; exit 1;; esac; \
	done

format: venv
	@.venv/bin/ruff format .
	@.venv/bin/ruff check --fix .

test: setup lint
	@$(PY) -m pytest

e2e: setup
	@$(PY) -m pytest -m e2e

messages: venv
	@$(MANAGE) makemessages -l fr -l en --ignore=.venv --ignore=var --no-obsolete

bench: setup
	@for script in $(filter-out %kit.py,$(wildcard bench/*.py)); do DJANGO_SETTINGS_MODULE=coop.settings.test $(PY) $$script || exit 1; done

clean:
	rm -rf .venv var .pytest_cache .ruff_cache .hypothesis

# The production path, end to end (bin/prod_check.py): build, check --deploy, gunicorn and a
# worker with the production settings behind Caddy on loopback, the pages a visitor opens.
# Caddy from Debian when missing (as root), like system-deps.
.PHONY: prod-check
prod-check: system-deps venv
	@command -v caddy >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then echo "Installing: caddy"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy >/dev/null; \
		else echo "Please install with your package manager: caddy"; exit 1; fi; }
	@$(PY) bin/prod_check.py
