#!/usr/bin/env bash
# Starts a real worker (and beat) against $CELERY_BROKER_URL and $DATABASE_URL, runs the end-to-end
# checks in .ci/celery_e2e.py with bounded waits, and always stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?}" "${CELERY_BROKER_URL:?}"
export CELERY_TASK_ALWAYS_EAGER=0 SCORE_DEBOUNCE_SECONDS=1 SCORE_SWEEP_SECONDS=10
# A database of its own, fresh each run, so reruns never meet the previous run's rows.
E2E_DB=kotan_e2e
PGOPTIONS=--client-min-messages=warning psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $E2E_DB" -c "CREATE DATABASE $E2E_DB"
export DATABASE_URL="${DATABASE_URL%/*}/$E2E_DB"
LOGDIR=$(mktemp -d)
redis-cli -u "$CELERY_BROKER_URL" flushdb >/dev/null

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py load_regions

.venv/bin/celery -A kotan worker -l info --concurrency 2 --without-gossip --without-mingle >"$LOGDIR/worker.log" 2>&1 &
WORKER=$!
.venv/bin/celery -A kotan beat -l info --schedule "$LOGDIR/beat-schedule" >"$LOGDIR/beat.log" 2>&1 &
BEAT=$!
cleanup() {
  kill "$WORKER" "$BEAT" 2>/dev/null || true
  wait "$WORKER" "$BEAT" 2>/dev/null || true
}
trap cleanup EXIT

# Bounds for a hang (a healthy run takes seconds), generous for a loaded CI machine.
if ! timeout 1800 .venv/bin/python .ci/celery_e2e.py; then
  echo "---- worker log ----"; tail -n 80 "$LOGDIR/worker.log"
  echo "---- beat log ----"; tail -n 40 "$LOGDIR/beat.log"
  exit 1
fi
