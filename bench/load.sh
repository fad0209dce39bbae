#!/usr/bin/env bash
# Load bench (`make bench-load`): a fresh PostgreSQL database, gunicorn with 2 sync workers on 127.0.0.1,
# and bench/load.py's virtual users (see its docstring). Arguments go to `load.py run`, e.g.
#   bench/load.sh --vus 100 --seconds 20
# Environment: LOAD_PG_URL (default postgres://postgres@127.0.0.1:5432/kotan_load; the database is dropped
# and created again), LOAD_SETUP_ARGS (for `load.py setup`, e.g. "--bnnk 20 --no-history").
# gunicorn is always stopped when this script ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PG_URL=${LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432/kotan_load}
SERVER=${PG_URL%/*}
DB=${PG_URL##*/}
OUT=bench/out
mkdir -p "$OUT"
[[ $DB =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "LOAD_PG_URL must end in a plain database name" >&2; exit 2; }

# Production-like settings: DEBUG off (no query log, compiled static manifest), the cache (and so the
# sessions) on Redis as deploy/kotan.env.example gives it (LOAD_CACHE_URL, a database of its own, emptied
# first), Celery eager (autosave only asks for a score when a questionnaire is complete; none is here),
# plain HTTP on loopback.
CACHE=${LOAD_CACHE_URL:-redis://127.0.0.1:6379/14}
export DATABASE_URL=$PG_URL DEBUG=0 SECRET_KEY=bench-load-not-a-secret ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0 CELERY_TASK_ALWAYS_EAGER=1 LOG_LEVEL=WARNING CACHE_URL=$CACHE
export STATIC_ROOT=$OUT/load-static MEDIA_ROOT=$OUT/load-media
unset CELERY_BROKER_URL
$PY -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$CACHE" \
  || { echo "Redis at $CACHE is needed (see the env skill's python-svc page to start it)" >&2; exit 1; }

echo "Fresh database $DB ..."
psql "$SERVER/postgres" -q -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
# The compressed manifest takes minutes to build on 2 cores: only again when a static file or the venv changed.
MANIFEST=$STATIC_ROOT/staticfiles.json
if [[ ! -f $MANIFEST ]] || [[ -n $(find static .venv/.req -newer "$MANIFEST" -print -quit 2>/dev/null) ]]; then
  echo "collectstatic (compressed manifest) into $STATIC_ROOT ..."
  $PY manage.py collectstatic --noinput -v 0
fi
# shellcheck disable=SC2086  # LOAD_SETUP_ARGS is a list of words on purpose
$PY bench/load.py setup --plan "$OUT/load-plan.json" ${LOAD_SETUP_ARGS:-}

PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$OUT/load-gunicorn.log
.venv/bin/gunicorn kotan.wsgi --workers 2 --worker-class sync --bind "127.0.0.1:$PORT" --backlog 2048 \
  --timeout 60 --worker-tmp-dir /dev/shm --error-logfile "$LOG" --log-level warning &
GUNICORN=$!
stop() {
  kill -TERM "$GUNICORN" 2>/dev/null || true
  wait "$GUNICORN" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

for _ in $(seq 100); do
  if $PY -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$GUNICORN" 2>/dev/null || { echo "gunicorn did not start; see $LOG" >&2; exit 1; }
  sleep 0.3
done

$PY bench/load.py run --plan "$OUT/load-plan.json" --base "http://127.0.0.1:$PORT" --server-pid "$GUNICORN" "$@"
