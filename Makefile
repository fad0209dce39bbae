# KOTAN: `make run` (site on 127.0.0.1:8000) and `make test` (whole suite). Both set everything up.
VENV := .venv
VPY := $(VENV)/bin/python
MANAGE := $(VPY) manage.py

.PHONY: run test e2e chaos lint format worker beat bench bench-microdata bench-dashboards bench-load bench-field bench-field-sync messages setup demo clean backup-check

$(VPY):
	@PY=$$(bin/pick-python) || exit 1; echo "Creating $(VENV) with $$PY"; "$$PY" -m venv $(VENV)
	@$(VPY) -m pip install -q --upgrade pip

$(VENV)/.req: requirements.txt | $(VPY)
	$(VPY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.req-dev: requirements.txt requirements-dev.txt | $(VPY)
	$(VPY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.req

messages: $(VENV)/.req
	@$(MANAGE) compilemessages --ignore '$(VENV)/*' -v 0

setup: $(VENV)/.req messages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_regions
	$(MANAGE) load_instrument
	$(MANAGE) seed_demo
	$(MANAGE) load_demo_survey
	$(MANAGE) load_demo_history
	$(MANAGE) load_demo_collections
	$(MANAGE) load_demo_plans

# Where `make run` serves: `make run PORT=8765`, `make run HOST=0.0.0.0` (reachable from other machines;
# then set ALLOWED_HOSTS, comma-separated, to the names or addresses it is reached by). Only the command
# line sets them (an exported HOST or PORT in the shell is not used).
HOST = 127.0.0.1
PORT = 8000

# Static files under hashed names (kotan.infra.static), so a browser keeps them for a year as in
# production; a static file edited while it runs shows after the next `make run`.
run: setup
	STATIC_HASHED=1 $(MANAGE) collectstatic --noinput -v 0
	@echo "KOTAN at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	STATIC_HASHED=1 $(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.req-dev messages
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

# The whole cycle in Debian's Chromium (/usr/bin/chromium) against gunicorn with DEBUG off, PostgreSQL
# (its own fresh database kotan_browser), a Celery worker and beat on the local Redis; screenshots in
# e2e-screenshots/. Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (.ci/run starts them).
e2e: $(VENV)/.req-dev messages
	bash e2e/run.sh

# deploy/backup.sh then deploy/restore.sh on a populated database and media folder, compared; needs
# PostgreSQL on 127.0.0.1:5432 (its own databases kotan_backup_src/dst, dropped at the end).
backup-check: $(VENV)/.req
	bash .ci/backup_check.sh

# Faults under load (issue 11): gunicorn, a Celery worker and beat on a private PostgreSQL cluster and
# redis-server (own ports, temporary folder; the machine's own servers untouched) while BNNK users
# autosave and submit: Redis killed 30 s, the worker killed -9 mid-recompute, PostgreSQL restarted.
# Prints requests, 5xx, saves acknowledged/lost and seconds until scores are right, per fault.
chaos: $(VENV)/.req-dev messages
	bash .ci/chaos.sh

# ruff, then the complexity limit: no function of the apps graded worse than C by radon (cyclomatic
# complexity over 20), checked by xenon; migrations and the default instrument (data) are excepted.
# Then the one-way doors: import-linter's contracts in .importlinter (layers, no module cycles, pure walls).
lint: $(VENV)/.req-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/xenon --max-absolute C --exclude "*/migrations/*,instruments/default.py" \
		kotan accounts regions instruments assessments scoring plans reports notifications
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: $(VENV)/.req-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.req
	$(VENV)/bin/celery -A kotan worker -l info --without-gossip --without-mingle

beat: $(VENV)/.req
	$(VENV)/bin/celery -A kotan beat -l info

# Period-wide scoring at national scale (514 x 180 questionnaires, every question asked: ~4.8 M answers)
# on SQLite (bench/out/) and on PostgreSQL (BENCH_PG_URL; its database is created if missing).
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/kotan_bench
bench: $(VENV)/.req
	@mkdir -p bench/out
	DATABASE_URL=sqlite:///$(CURDIR)/bench/out/recompute.sqlite3 $(VPY) bench/recompute.py --ask-all
	@u="$(BENCH_PG_URL)"; psql "$${u%/*}/postgres" -q -tc "SELECT 1 FROM pg_database WHERE datname='$${u##*/}'" \
	  | grep -q 1 || psql "$${u%/*}/postgres" -q -c "CREATE DATABASE $${u##*/}"
	DATABASE_URL=$(BENCH_PG_URL) $(VPY) bench/recompute.py --ask-all

# Microdata export (each format) and the reliability task on a national period (514 x 180 questionnaires at
# the default quotas) on PostgreSQL (MICRODATA_PG_URL; its database is created if missing): time, peak RSS.
MICRODATA_PG_URL ?= postgres://postgres@127.0.0.1:5432/kotan_bench_microdata
bench-microdata: $(VENV)/.req
	@u="$(MICRODATA_PG_URL)"; psql "$${u%/*}/postgres" -q -tc "SELECT 1 FROM pg_database WHERE datname='$${u##*/}'" \
	  | grep -q 1 || psql "$${u%/*}/postgres" -q -c "CREATE DATABASE $${u##*/}"
	DATABASE_URL=$(MICRODATA_PG_URL) MEDIA_ROOT=$(CURDIR)/bench/out/media $(VPY) bench/microdata.py

# Dashboards, ranking export and API at national scale (514 kab/kota x 5 periods); own db in bench/out/.
bench-dashboards: $(VENV)/.req
	$(VPY) bench/dashboards.py $(BENCH_ARGS)

# Load: gunicorn (2 workers, 127.0.0.1) on a fresh PostgreSQL database (LOAD_PG_URL, default kotan_load),
# 200 virtual users autosaving and reading the national dashboard; prints req/s, p50/p95, errors, lost saves.
bench-load: $(VENV)/.req
	bash bench/load.sh $(LOAD_ARGS)

# Each role's main pages in Debian's Chromium (/usr/bin/chromium) on a district's cellular signal (400 ms,
# 50 KB/s down, 20 KB/s up), cold and on a repeat visit, then unthrottled: requests, KB, seconds to `load`,
# largest resource, beside issue 14's targets. gunicorn with DEBUG off on port FIELD_PORT (8791), a fresh
# PostgreSQL database FIELD_PG_URL (kotan_field) with the demo data. FIELD_ARGS, e.g. "--keep-db".
bench-field: $(VENV)/.req messages
	$(VPY) bench/field.py $(FIELD_ARGS)

# The field kit on the same profile: prepare, then sync 100 questionnaires filled offline (issue 15).
bench-field-sync: $(VENV)/.req messages
	$(VPY) bench/field_sync.py $(FIELD_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles
