#!/usr/bin/env bash
# make e2e: the whole IKOTAN cycle in a real Chromium (Debian's /usr/bin/chromium) against a live KOTAN
# as production runs it: DEBUG off (CSP, secure cookies, WhiteNoise with collected static files),
# gunicorn with deploy/gunicorn.conf.py, PostgreSQL (a database of its own, fresh each run), a real
# Celery worker and beat on Redis (a Redis database of its own). Bounded waits everywhere; whatever it
# starts is stopped on exit. Screenshots and logs land in e2e-screenshots/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
E2E_DB=${E2E_DB:-kotan_browser}
E2E_REDIS_DB=${E2E_REDIS_DB:-13}
CHROMIUM=/usr/bin/chromium
OUT=e2e-screenshots

[ -x "$CHROMIUM" ] || { echo "FATAL: $CHROMIUM is missing (apt-get install -y chromium chromium-driver)" >&2; exit 1; }
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "FATAL: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "FATAL: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }

started=$(date +%s)
PORT=${E2E_PORT:-$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
WORK=$(mktemp -d)
rm -rf "$OUT" && mkdir -p "$OUT/logs"

# Production settings (kotan/settings.py with DEBUG off); only the TLS redirect is off, the server
# being plain HTTP on loopback. Chromium keeps Secure cookies on 127.0.0.1 (a trustworthy origin).
export DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1
SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export DATABASE_URL="${PG_URL%/*}/$E2E_DB"
export CELERY_BROKER_URL="redis://127.0.0.1:6379/$E2E_REDIS_DB" CELERY_TASK_ALWAYS_EAGER=0
export SCORE_DEBOUNCE_SECONDS=1 SCORE_SWEEP_SECONDS=10 REPORT_RENDER_DEBOUNCE_SECONDS=5
export MEDIA_ROOT="$WORK/media" SITE_URL="http://127.0.0.1:$PORT"
# No SMTP server here: notification e-mails fail fast (logged) and never undo an action.
export EMAIL_HOST=127.0.0.1 EMAIL_PORT=9 EMAIL_USE_TLS=0
export E2E_BASE="http://127.0.0.1:$PORT" E2E_OUT="$OUT"
E2E_PASSWORD=$(.venv/bin/python -c 'import secrets; print("e2e-" + secrets.token_urlsafe(12))')
export E2E_PASSWORD
export GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_WORKERS=2 GUNICORN_LOG_LEVEL=warning

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do timeout 20 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "e2e: fresh database $E2E_DB, Redis db $E2E_REDIS_DB, server on port $PORT"
PGOPTIONS=--client-min-messages=warning psql "${PG_URL%/*}/postgres" -q \
  -c "DROP DATABASE IF EXISTS $E2E_DB WITH (FORCE)" -c "CREATE DATABASE $E2E_DB"
redis-cli -n "$E2E_REDIS_DB" flushdb >/dev/null
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py load_regions -v 0 >/dev/null
# Collected static files (hashed names; no gzip/Brotli copies, which took minutes on a busy machine and
# change nothing a browser sees) are kept between runs and collected again only when a source file is
# newer than the manifest.
export STATIC_ROOT="$PWD/.venv/e2e-static" STATIC_COMPRESS=0
SOURCES=$(.venv/bin/python -c 'import importlib.util as u, os; print(*(os.path.join(os.path.dirname(u.find_spec(m).origin), "static") for m in ("django.contrib.admin", "ninja")))')
# shellcheck disable=SC2086  # SOURCES is a list of directories
if [ ! -f "$STATIC_ROOT/staticfiles.json" ] || [ -n "$(find static $SOURCES -type f -newer "$STATIC_ROOT/staticfiles.json" | head -n 1)" ]; then
  echo "e2e: collecting static files into $STATIC_ROOT"
  rm -rf "$STATIC_ROOT"
  .venv/bin/python manage.py collectstatic --noinput -v 0
fi
.venv/bin/python e2e/setup_data.py

.venv/bin/celery -A kotan worker -l info --concurrency 2 --without-gossip --without-mingle >"$OUT/logs/worker.log" 2>&1 &
PIDS+=($!)
.venv/bin/celery -A kotan beat -l info --schedule "$WORK/beat-schedule" >"$OUT/logs/beat.log" 2>&1 &
PIDS+=($!)
.venv/bin/gunicorn kotan.wsgi -c deploy/gunicorn.conf.py >"$OUT/logs/gunicorn.log" 2>&1 &
PIDS+=($!)

for _ in $(seq 1 480); do  # gunicorn imports Django and pandas per worker: minutes on a loaded machine
  curl -fs -o /dev/null "$E2E_BASE/akun/login/" && break
  sleep 0.5
done
curl -fs -o /dev/null "$E2E_BASE/akun/login/" || { echo "FATAL: gunicorn did not answer"; tail -n 40 "$OUT/logs/gunicorn.log"; exit 1; }
echo "e2e: services up after $(( $(date +%s) - started ))s"

# A bound for a hang: about a minute here, ten times that on a loaded CI machine.
# E2E_ONLY=field runs the field walk alone (while working on the field kit), E2E_ONLY=plans the plan walk.
ONLY=${E2E_ONLY:-}
if [ -z "$ONLY" ] && ! timeout 2400 .venv/bin/python e2e/walk.py; then
  echo "---- gunicorn log ----"; tail -n 60 "$OUT/logs/gunicorn.log"
  echo "---- worker log ----"; tail -n 60 "$OUT/logs/worker.log"
  echo "---- beat log ----"; tail -n 20 "$OUT/logs/beat.log"
  echo "e2e: FAILED after $(( $(date +%s) - started ))s; screenshots in $OUT/"
  exit 1
fi
# The field kit (issue 15) on the same server: offline days in one persistent Chromium profile.
if [ "$ONLY" != plans ] && ! timeout 1800 .venv/bin/python e2e/fieldkit_walk.py; then
  echo "---- gunicorn log ----"; tail -n 60 "$OUT/logs/gunicorn.log"
  echo "e2e: field walk FAILED after $(( $(date +%s) - started ))s; screenshots in $OUT/"
  exit 1
fi
# The action plan (issue 16): built by the BNNK, followed up by the BNNP, read by BNN pusat.
if [ "$ONLY" != field ] && ! timeout 600 .venv/bin/python e2e/plans_walk.py; then
  echo "---- gunicorn log ----"; tail -n 60 "$OUT/logs/gunicorn.log"
  echo "e2e: plan walk FAILED after $(( $(date +%s) - started ))s; screenshots in $OUT/"
  exit 1
fi
echo "e2e: passed in $(( $(date +%s) - started ))s; screenshots in $OUT/"
