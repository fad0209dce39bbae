#!/usr/bin/env bash
# make chaos (issue 11 point 6): KOTAN as production runs it (gunicorn with DEBUG off, a real Celery
# worker and beat, PostgreSQL, Redis as broker, cache and session cache) while logged-in BNNK users
# autosave and submit, and three faults strike in turn: (a) Redis killed for 30 s, (b) the worker killed
# with -9 in the middle of a period recompute, (c) PostgreSQL restarted. .ci/chaos.py drives the load
# and the faults, checks that no acknowledged save is lost and that every score comes back to the
# engine's value, and prints the figures; see its docstring.
#
# Everything runs on private services in a temporary folder: a PostgreSQL cluster made with initdb and
# run with pg_ctl on a port of its own, a redis-server on a port of its own. The machine's own
# PostgreSQL (5432) and Redis (6379) are never touched. On exit, however it ends, only the processes this
# run started are stopped, by the pids it recorded, and the folder is removed (CHAOS_KEEP=1 keeps it).
#
# Service control: `chaos.sh svc ACTION` (redis-start, gunicorn-start, worker-start N, beat-start,
# pg-start, pg-stop, kill NAME, stop-all) is how chaos.py starts and breaks the services; it needs the
# CHAOS_* variables this script exports. chaos.py makes itself the child subreaper, so the services
# these calls leave running are its children and it reaps them as soon as they end (PID 1 here reaps
# orphans only now and then, so they would linger as zombies).
#
# Environment (all optional): CHAOS_SCORE_BOUND (300: seconds after a recovery within which every score
# must be right), CHAOS_REDIS_DOWN (30), CHAOS_PG_DOWN (20), CHAOS_VUS (10); more in chaos.py.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- service control (also used by chaos.py) --------------------------------------------------------

PIDS_DIR() { echo "$CHAOS_DIR/pids"; }
LOGS() { echo "$CHAOS_DIR/logs"; }

# A recorded pid is signalled only while its command line still carries this run's marker (its port or
# folder), so a pid the system gave to another process since is never touched.
marker() {
  case "$1" in
    redis) echo "127.0.0.1:$CHAOS_REDIS_PORT" ;;
    gunicorn) echo "127.0.0.1:$CHAOS_WEB_PORT" ;;
    worker) echo "chaos@" ;;
    beat) echo "$CHAOS_DIR/beat-schedule" ;;
    postgres) echo "$CHAOS_DIR/pg" ;;
  esac
}

ours() { # NAME PID: the process is alive (not a zombie) and is the one this run started
  local stat
  stat=$(cut -d' ' -f3 "/proc/$2/stat" 2>/dev/null) || return 1
  [ "$stat" != Z ] || return 1
  tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -qF -- "$(marker "$1")"
}

gone() { # PID: exited (absent, or a zombie waiting for chaos.py to reap it)
  local stat
  stat=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 0
  [ "$stat" = Z ]
}

record() { echo "$2" >"$(PIDS_DIR)/$1"; }

wait_gone() { # PID SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    gone "$1" && return 0
    sleep 0.1
  done
  return 1
}

# kill NAME [SIGNAL]: the recorded process and its direct children (a Celery pool, gunicorn's workers).
svc_kill() {
  local name=$1 sig=${2:-KILL} file pid kids
  file="$(PIDS_DIR)/$name"
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if ours "$name" "$pid"; then
    kids=$(pgrep -P "$pid" || true)
    # shellcheck disable=SC2086  # kids is a list of pids
    kill -s "$sig" "$pid" $kids 2>/dev/null || true
    if ! wait_gone "$pid" 30; then
      # shellcheck disable=SC2086
      kill -9 "$pid" $kids 2>/dev/null || true
      wait_gone "$pid" 10 || true
    fi
    for k in $kids; do wait_gone "$k" 10 || kill -9 "$k" 2>/dev/null || true; done
  fi
  rm -f "$file"
}

svc_redis_start() {
  redis-server --port "$CHAOS_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$CHAOS_DIR" \
    >>"$(LOGS)/redis.log" 2>&1 &
  record redis $!
  local i
  for ((i = 0; i < 300; i++)); do
    redis-cli -h 127.0.0.1 -p "$CHAOS_REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "redis-server did not answer on port $CHAOS_REDIS_PORT" >&2
  return 1
}

svc_gunicorn_start() {
  .venv/bin/gunicorn kotan.wsgi --workers 2 --bind "127.0.0.1:$CHAOS_WEB_PORT" --timeout 60 \
    --worker-tmp-dir /dev/shm --control-socket "$CHAOS_DIR/gunicorn.ctl" --error-logfile - \
    >>"$(LOGS)/gunicorn.log" 2>&1 &
  record gunicorn $!
}

svc_worker_start() { # N: the worker's log is worker-N.log
  # As deploy/kotan-worker.service runs it (without gossip and mingle, which KOTAN does not use).
  .venv/bin/celery -A kotan worker --concurrency 2 -l info --hostname 'chaos@%h' --without-gossip --without-mingle \
    >"$(LOGS)/worker-$1.log" 2>&1 &
  record worker $!
}

svc_beat_start() {
  .venv/bin/celery -A kotan beat -l info --schedule "$CHAOS_DIR/beat-schedule" >>"$(LOGS)/beat.log" 2>&1 &
  record beat $!
}

pg_ctl_() { runuser -u postgres -- "$CHAOS_PGBIN/pg_ctl" -D "$CHAOS_DIR/pg" "$@"; }

svc_pg_start() {
  # fsync=off: only for speed on CI machines; a fast shutdown still writes everything before stopping.
  pg_ctl_ -o "-p $CHAOS_PG_PORT -k $CHAOS_DIR/pgsock -c listen_addresses=127.0.0.1 -c fsync=off" \
    -l "$(LOGS)/postgres.log" -w -t 600 start >/dev/null
  record postgres "$(head -n 1 "$CHAOS_DIR/pg/postmaster.pid")"
}

svc_pg_stop() { # MODE (fast by default)
  pg_ctl_ -m "${1:-fast}" -w -t 600 stop >/dev/null
  rm -f "$(PIDS_DIR)/postgres"
}

svc_stop_all() {
  local name
  for name in gunicorn beat worker redis; do svc_kill "$name" TERM; done
  if [ -f "$(PIDS_DIR)/postgres" ]; then
    svc_pg_stop fast 2>/dev/null || svc_pg_stop immediate 2>/dev/null || svc_kill postgres KILL
  fi
  rm -f "$(PIDS_DIR)/postgres"
}

svc() {
  : "${CHAOS_DIR:?chaos.sh svc runs under chaos.sh}"
  local action=$1
  shift
  case "$action" in
    redis-start) svc_redis_start ;;
    gunicorn-start) svc_gunicorn_start ;;
    worker-start) svc_worker_start "$@" ;;
    beat-start) svc_beat_start ;;
    pg-start) svc_pg_start ;;
    pg-stop) svc_pg_stop "$@" ;;
    kill) svc_kill "$@" ;;
    stop-all) svc_stop_all ;;
    *)
      echo "unknown action $action" >&2
      return 2
      ;;
  esac
}

if [ "${1:-}" = svc ]; then
  shift
  svc "$@"
  exit
fi

# --- the run ------------------------------------------------------------------------------------------

PY=.venv/bin/python
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

CHAOS_PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$CHAOS_PGBIN/initdb" ] || { echo "FATAL: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "FATAL: redis-server is missing" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "FATAL: run as root (initdb and pg_ctl run as the postgres user)" >&2; exit 1; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # chaos.py stops everything itself; this is the safety net if it died or was interrupted.
  if [ -n "$(ls -A "$CHAOS_DIR/pids" 2>/dev/null)" ]; then
    echo "chaos: stopping what is left: $(ls "$CHAOS_DIR/pids" | tr '\n' ' ')"
    svc_stop_all || true
  fi
  # Nothing carrying this run's folder or ports may be left (its pids were all stopped above).
  local left
  left=$(pgrep -f -- "$CHAOS_DIR|127\.0\.0\.1:($CHAOS_REDIS_PORT|$CHAOS_WEB_PORT)( |$)" || true)
  if [ -n "$left" ]; then
    echo "chaos: still running after the stop, killed now:"
    # shellcheck disable=SC2086  # a list of pids
    ps -o pid,ppid,stat,args -p "$(echo $left | tr ' ' ',')" || true
    # shellcheck disable=SC2086
    kill -9 $left 2>/dev/null || true
    [ "$rc" -ne 0 ] || rc=1
  fi
  if [ "$rc" -ne 0 ]; then
    for log in "$CHAOS_DIR"/logs/*.log; do
      [ -s "$log" ] && [ "$(basename "$log")" != initdb.log ] || continue
      echo "---- $(basename "$log") (last 25 lines) ----"
      tail -n 25 "$log"
    done
  fi
  if [ "${CHAOS_KEEP:-0}" = 1 ]; then
    echo "chaos: kept $CHAOS_DIR"
  else
    rm -rf "$CHAOS_DIR"
  fi
  echo "chaos: exit status $rc after $(($(date +%s) - started)) s"
  exit "$rc"
}

started=$(date +%s)
CHAOS_PG_PORT=$(free_port)
CHAOS_REDIS_PORT=$(free_port)
CHAOS_WEB_PORT=$(free_port)
while [ "$CHAOS_REDIS_PORT" = "$CHAOS_PG_PORT" ]; do CHAOS_REDIS_PORT=$(free_port); done
while [ "$CHAOS_WEB_PORT" = "$CHAOS_PG_PORT" ] || [ "$CHAOS_WEB_PORT" = "$CHAOS_REDIS_PORT" ]; do
  CHAOS_WEB_PORT=$(free_port)
done
CHAOS_DIR=$(mktemp -d /tmp/kotan-chaos.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
chmod 755 "$CHAOS_DIR" # the postgres user reaches its data directory, socket and log inside
mkdir -p "$CHAOS_DIR/pids" "$CHAOS_DIR/logs" "$CHAOS_DIR/media"
install -d -o postgres -g postgres "$CHAOS_DIR/pg" "$CHAOS_DIR/pgsock"
touch "$CHAOS_DIR/logs/postgres.log" && chown postgres "$CHAOS_DIR/logs/postgres.log"
export CHAOS_DIR CHAOS_PGBIN CHAOS_PG_PORT CHAOS_REDIS_PORT CHAOS_WEB_PORT

# Production settings (DEBUG off); plain HTTP on loopback. The cache (sessions are cached_db, the score
# debounce keys) is the broker's Redis, as deploy/ has it. Short debounce, sweep and heartbeat intervals
# so recovery shows within a CI-sized run.
export DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1
SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export DATABASE_URL="postgres://postgres@127.0.0.1:$CHAOS_PG_PORT/kotan_chaos"
export CELERY_BROKER_URL="redis://127.0.0.1:$CHAOS_REDIS_PORT/0" CELERY_TASK_ALWAYS_EAGER=0
unset CACHE_URL CELERY_RESULT_BACKEND
export SCORE_DEBOUNCE_SECONDS=2 SCORE_SWEEP_SECONDS=15 HEARTBEAT_SECONDS=5
export MEDIA_ROOT="$CHAOS_DIR/media" SITE_URL="http://127.0.0.1:$CHAOS_WEB_PORT"
# No SMTP server here: notification e-mails fail fast (logged) and never undo an action.
export EMAIL_HOST=127.0.0.1 EMAIL_PORT=9 EMAIL_USE_TLS=0
# Collected static files without gzip/Brotli copies (as e2e/run.sh), kept between runs and collected
# again only when a source file is newer than the manifest.
export STATIC_ROOT="$PWD/.venv/chaos-static" STATIC_COMPRESS=0

echo "chaos: private PostgreSQL on port $CHAOS_PG_PORT, Redis on $CHAOS_REDIS_PORT, gunicorn on $CHAOS_WEB_PORT;" \
  "folder $CHAOS_DIR"
runuser -u postgres -- "$CHAOS_PGBIN/initdb" -D "$CHAOS_DIR/pg" -A trust -U postgres >"$CHAOS_DIR/logs/initdb.log" 2>&1 ||
  { cat "$CHAOS_DIR/logs/initdb.log"; exit 1; }
SOURCES=$($PY -c 'import importlib.util as u, os; print(*(os.path.join(os.path.dirname(u.find_spec(m).origin), "static") for m in ("django.contrib.admin", "ninja")))')
# shellcheck disable=SC2086  # SOURCES is a list of directories
if [ ! -f "$STATIC_ROOT/staticfiles.json" ] || [ -n "$(find static $SOURCES -type f -newer "$STATIC_ROOT/staticfiles.json" | head -n 1)" ]; then
  echo "chaos: collecting static files into $STATIC_ROOT"
  rm -rf "$STATIC_ROOT"
  $PY manage.py collectstatic --noinput -v 0
fi

# A bound for a hang only: a healthy run takes about 3 minutes here, a loaded CI machine far longer.
# --foreground: chaos.py stays in the terminal's process group, so Ctrl+C reaches it and it stops its services.
timeout --foreground --signal=INT "${CHAOS_TIMEOUT:-3600}" $PY .ci/chaos.py
