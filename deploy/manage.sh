#!/usr/bin/env bash
# manage.py with the production environment: deploy/manage.sh migrate, deploy/manage.sh check --deploy.
# The values of $KOTAN_ENV (default /etc/kotan/kotan.env) are added under those already set, read as
# systemd reads them (VAR=value, optional double quotes), so a SECRET_KEY with $ or ` is safe.
set -euo pipefail
KOTAN_ENV=${KOTAN_ENV:-/etc/kotan/kotan.env}
APP_DIR=${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PYTHON=${PYTHON:-/srv/kotan/venv/bin/python}
case "$PYTHON" in */*) [ "${PYTHON#/}" != "$PYTHON" ] || PYTHON=$PWD/$PYTHON ;; esac  # relative to here, not APP_DIR
cd "$APP_DIR"
exec "$PYTHON" -c '
import os, sys
env = dict(os.environ)
if os.access(sys.argv[1], os.R_OK):
    for line in open(sys.argv[1], encoding="utf-8"):
        name, sep, value = line.strip().partition("=")
        if sep and name and not name.startswith("#"):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == "\"":
                value = value[1:-1]
            env.setdefault(name.strip(), value)
os.execve(sys.executable, [sys.executable, "manage.py", *sys.argv[2:]], env)
' "$KOTAN_ENV" "$@"
