# The two commands: `make run` and `make test`. Everything else they need, they do.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Services that exist in this checkout, in start order, and those with an OpenAPI schema
# (scripts/registry.py lists them all).
present = $(foreach s,$(1),$(if $(wildcard $(s)/manage.py),$(s)))
SERVICES := $(call present,$(shell $(or $(PYTHON),python3) scripts/registry.py names))
API_SERVICES := $(call present,$(shell $(or $(PYTHON),python3) scripts/registry.py names --api))
# Set TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432) to run every test on
# PostgreSQL; tests marked `postgres` then must run (REQUIRE_POSTGRES=1), never skip.
TEST_POSTGRES_URL ?=

.PHONY: help install run test lint fmt check-release test-unit coverage test-integration check-migrations check-schema compose-check k8s-check test-api test-e2e chromium ffmpeg axe newman videos bench wrk test-bench postman lock clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.txt common/pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e common
	@touch $@

install: $(STAMP) ## Create .venv and install the pinned dependencies

run: install ## Set up everything (keys, migrations, demo data) and start all services on SQLite
	$(BIN)/python scripts/devrun.py

test: install lint check-release check-migrations check-schema compose-check k8s-check test-unit test-bench test-integration test-api test-e2e ## Lint, then every test with coverage (fails under 90% per service)
	@echo "All checks passed."

# mypy checks common's package and the layers of each service that talk to the database
# and to other services; each service with its own settings for the django-stubs plugin.
# Each package keeps its own cache (under .dev/mypy/), as each has its own settings.
MYPY := ../$(BIN)/mypy --config-file ../pyproject.toml
# Those layers, as modules or packages of a service's apps: the writes (services, or
# appointment_service's booking, changes, steps, idempotency and reconciliation, and
# schedule_service's rules and holds), the reads (selectors, and schedule_service's
# blocks) and the calls to other services (clients).
TYPED_LAYERS := services booking changes steps idempotency reconciliation rules holds blocks selectors clients

lint: install ## ruff lint and format check, djlint on the templates, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint --configuration pyproject.toml portal/portal/web/templates
	cd common && DJANGO_SETTINGS_MODULE=tests.settings $(MYPY) --cache-dir ../.dev/mypy/common src/common
	@set -e; for s in $(SERVICES); do \
	  echo "== mypy $$s"; \
	  (cd $$s && DJANGO_SETTINGS_MODULE=$$s.settings.test $(MYPY) --cache-dir ../.dev/mypy/$$s \
	    $$(for m in $(TYPED_LAYERS); do ls -d $$s/*/$$m.py $$s/*/$$m 2>/dev/null; done)); \
	done

fmt: install ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-release: ## The version (VERSION) in every pyproject.toml and CHANGELOG.md; every target in make help
	@$(or $(PYTHON),python3) scripts/check_release.py

check-migrations: install ## Fail when a model change has no migration
	@for s in $(SERVICES); do \
	  (cd $$s && DJANGO_SETTINGS_MODULE=$$s.settings.test ../$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null) \
	    || { echo "$$s: missing migration"; exit 1; }; \
	done

check-schema: install ## Validate every service's OpenAPI schemas (public and internal), warnings are errors
	@for s in $(API_SERVICES); do \
	  (cd $$s && DJANGO_SETTINGS_MODULE=$$s.settings.test ../$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null \
	    && DJANGO_SETTINGS_MODULE=$$s.settings.test ../$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null \
	         --custom-settings common.schema.INTERNAL_SCHEMA_SETTINGS) \
	    || { echo "$$s: schema is not valid"; exit 1; }; \
	  echo "$$s: public and internal schemas valid"; \
	done

test-unit: install ## Unit and API tests of common and each service, with coverage (fails under 90% per package)
	cd common && ../$(BIN)/coverage run -m pytest -q && ../$(BIN)/coverage report --fail-under=90
	@set -e; for s in $(SERVICES); do \
	  echo "== $$s"; \
	  if [ -n "$(TEST_POSTGRES_URL)" ]; then export DATABASE_URL="$(TEST_POSTGRES_URL)/$$s" REQUIRE_POSTGRES=1; fi; \
	  (cd $$s && ../$(BIN)/coverage run -m pytest -q && ../$(BIN)/coverage report --fail-under=90); \
	done
	$(BIN)/python scripts/coverage_report.py --out .dev/coverage

coverage: test-unit ## Run the unit tests and write coverage_reports/ (text, committed; HTML, ignored) and README's table
	$(BIN)/python scripts/coverage_report.py --out coverage_reports --readme

test-integration: install ## Start the services as processes and test them over HTTP
	$(BIN)/pytest -q -p no:django -p no:cacheprovider tests/integration

test-api: install newman ## API contract tests against the stack started as processes: the Postman collection (newman) and schemathesis
	$(BIN)/pytest -q -p no:django -p no:cacheprovider tests/api

NEWMAN := postman/node_modules/.bin/newman

newman: $(NEWMAN) ## Install newman (pinned in postman/package-lock.json) with npm, to run the Postman collection

$(NEWMAN): postman/package.json postman/package-lock.json
	@command -v npm >/dev/null || { echo "The Postman collection's test needs npm (Node.js) to install newman: sudo apt-get install npm"; exit 1; }
	cd postman && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-e2e: install chromium ffmpeg axe ## Browser tests: Debian's Chromium driven by Playwright, axe-core, the recorder
	$(BIN)/pytest -q -p no:django -p no:cacheprovider tests/e2e

chromium: ## Install Debian's Chromium for the browser tests when it is missing
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium"; exit 1; fi; }

ffmpeg: ## Install Debian's ffmpeg (Playwright's video recording) when it is missing
	@command -v ffmpeg >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; \
	  else echo "Recording videos needs ffmpeg: sudo apt-get install ffmpeg"; exit 1; fi; }

AXE := tests/e2e/node_modules/axe-core/axe.min.js

axe: $(AXE) ## Install the browser tests' npm tools (axe-core, mermaid; pinned in tests/e2e/package-lock.json)

$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@command -v npm >/dev/null || { echo "The accessibility tests need npm (Node.js) to install axe-core: sudo apt-get install npm"; exit 1; }
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

videos: install chromium ffmpeg ## Record the walkthrough videos (docs/videos) and screenshots (docs/screenshots)
	$(BIN)/python scripts/record_walkthroughs.py

compose-check: install ## Lint every service's Dockerfile, validate compose.yaml and check both against scripts/registry.py (the linters pinned in requirements/dev.txt)
	bash scripts/compose_check.sh

# checkov pins dependencies (packaging) below requirements/dev.txt's, so it has a
# virtualenv of its own, from requirements/checkov.txt.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

$(CHECKOV_STAMP): requirements/checkov.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed"; exit 1; }
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements/checkov.txt
	@touch $@

k8s-check: install $(CHECKOV_STAMP) ## Render deploy/k8s's overlays, validate them (kubernetes-validate --strict, checkov) and run tests/k8s
	VENV_BIN=$(BIN) CHECKOV=$(CHECKOV_VENV)/bin/checkov bash scripts/k8s_check.sh

bench: install wrk ## Benchmarks: every hot path against a reference Django view, one table (bench/run.py --help)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

wrk: ## Install Debian's wrk (the benchmarks' load generator) when it is missing
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "The benchmarks need wrk: sudo apt-get install wrk"; exit 1; fi; }

test-bench: install wrk ## The benchmark harness's own tests (parsing, targets, a 1 s wrk smoke run); no benchmark
	$(BIN)/pytest -q -p no:django -p no:cacheprovider bench/tests

postman: install ## Rewrite the Postman collection and the make run environment from scripts/build_postman.py
	$(BIN)/python scripts/build_postman.py

lock: install ## Re-pin requirements/*.txt from requirements/*.in
	$(BIN)/python -m pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o dev.txt dev.in
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o checkov.txt checkov.in

clean: ## Remove the virtualenv, local databases, keys and logs
	rm -rf $(VENV) $(CHECKOV_VENV) .dev */var coverage_reports/html tests/e2e/node_modules postman/node_modules
