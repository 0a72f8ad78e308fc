# CareHub: `make run` serves the app with demo data; `make test` runs the suite.
# Both set everything up first on a fresh machine (Python 3.11, Node/npm).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: setup venv assets migrate run test test-dates check oruk-conformance bench drills clean

setup: venv assets

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

assets: static/build/app.css

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/app.css: node_modules/.package-lock.json static/scss/app.scss
	mkdir -p static/build static/govuk
	rm -rf static/govuk/assets
	cp -R node_modules/govuk-frontend/dist/govuk/assets static/govuk/assets
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/govuk/
	npx --no-install sass --quiet --no-source-map --load-path=node_modules --style=compressed static/scss/app.scss $@

migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_postcode_centroids

# Links in e-mails point at the port this serves, unless SITE_URL is already set.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: migrate
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker and beat (logs in var/celery-*.log)"; \
		mkdir -p var; \
		$(VENV)/bin/celery -A carehub worker --loglevel=INFO --concurrency=2 >var/celery-worker.log 2>&1 & \
		$(VENV)/bin/celery -A carehub beat --loglevel=INFO --schedule=var/celerybeat-schedule >var/celery-beat.log 2>&1 & \
	fi
	@echo "CareHub is starting on http://127.0.0.1:$(PORT) (links in e-mails: $$SITE_URL)"
	$(VENV)/bin/gunicorn carehub.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - --graceful-timeout 5

test: setup
	DJANGO_SETTINGS_MODULE=carehub.settings_test $(PY) -m pytest $(PYTEST_ARGS)

# The suite with every test starting at each awkward instant (names in carehub/testing/clock.py;
# time-machine moves this process's clock). DATES=... for fewer. Left out: browser tests and the
# real-worker tests (`redis`), whose second process keeps the real clock.
DATES ?= year-end new-year february-end leap-day clocks-forward-before clocks-forward-after \
	clocks-back-first clocks-back-second month-end budget-year-start
test-dates: setup
	@failed=""; for at in $(DATES); do \
		echo "== every test starts at $$at"; \
		DJANGO_SETTINGS_MODULE=carehub.settings_test $(PY) -m pytest -q -p no:cacheprovider -m "not browser and not redis" \
			--clock=$$at $(PYTEST_ARGS) || failed="$$failed $$at"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-dates failed at:$$failed"; exit 1; fi; echo "test-dates passed at: $(DATES)"

check: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n') ALLOWED_HOSTS=carehub.example \
		$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) -m bandit -q -c pyproject.toml -r accounts directory marketplace commissioning reviews carehub
	$(PY) -m pip_audit -r requirements.txt --progress-spinner off $$(sed -n 's/^\([A-Z]*-[0-9-]*\).*/--ignore-vuln \1/p' docs/security/pip-audit-ignore.txt 2>/dev/null)

# Open Referral UK: schemathesis runs the standard's own OpenAPI against the app (demo data, a free
# port, bounded in time): no server error, no answer outside the standard's schemas (ADR 10).
oruk-conformance: migrate
	$(PY) .ci/oruk_conformance.py

bench: migrate
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/dashboard.py $(BENCH_DASHBOARD_ARGS)

# Fault and load drills on a private stack (PostgreSQL, Redis, gunicorn, Celery) on loopback: drills/run.py,
# figures in docs/reliability.md. DRILLS_ARGS=--short is CI's version; --only 1,3 runs some of them.
drills: setup
	$(PY) drills/run.py $(DRILLS_ARGS)

clean:
	rm -rf $(VENV) node_modules static/build static/govuk staticfiles
