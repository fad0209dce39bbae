#!/usr/bin/env bash
# Restore a KOTAN backup made by deploy/backup.sh: database and media folder. See deploy/BACKUP.md.
#
#   deploy/restore.sh BACKUP_DIR/<timestamp> [--yes]
#
# Stops kotan-web, kotan-worker and kotan-beat (when systemd runs them), replaces the database named
# by DATABASE_URL with the dump (pg_restore --clean, one transaction: all or nothing), moves the
# current media folder aside to MEDIA_ROOT.before-restore-<time> and unpacks the backup's, runs
# migrations (a dump from older code), and starts the services again.
set -euo pipefail

KOTAN_ENV=${KOTAN_ENV:-/etc/kotan/kotan.env}
setting() {
    local value=${!1:-}
    if [ -z "$value" ] && [ -r "$KOTAN_ENV" ]; then
        value=$(sed -n "s/^$1=//p" "$KOTAN_ENV" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/')
    fi
    printf '%s' "${value:-$2}"
}

backup=${1:?usage: restore.sh BACKUP_DIR/<timestamp> [--yes]}
confirm=${2:-}
DATABASE_URL=$(setting DATABASE_URL "")
MEDIA_ROOT=$(setting MEDIA_ROOT /srv/kotan/media)
APP_DIR=${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PYTHON=${PYTHON:-/srv/kotan/venv/bin/python}
SERVICES=${SERVICES-"kotan-web kotan-worker kotan-beat"}  # SERVICES="" (set, empty): none to stop or start

case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "restore.sh: DATABASE_URL must be a PostgreSQL URL" >&2; exit 2 ;;
esac
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || { echo "restore.sh: checksums do not match" >&2; exit 1; }
pg_restore --list "$backup/kotan.dump" >/dev/null
tar --list --gzip --file="$backup/media.tar.gz" >/dev/null  # the archive unpacks: checked before anything changes

if [ "$confirm" != "--yes" ]; then
    read -r -p "Replace the database ${DATABASE_URL##*/} and $MEDIA_ROOT with $backup? Type yes: " answer
    [ "$answer" = "yes" ] || { echo "Nothing changed."; exit 1; }
fi

have_systemd() { [ -n "$SERVICES" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; }
if have_systemd; then systemctl stop $SERVICES; fi

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$DATABASE_URL" "$backup/kotan.dump"

aside="$MEDIA_ROOT.before-restore-$(date +%Y%m%d-%H%M%S)"
if [ -d "$MEDIA_ROOT" ]; then mv "$MEDIA_ROOT" "$aside"; fi
mkdir -p "$MEDIA_ROOT"
tar --extract --gzip --file="$backup/media.tar.gz" --directory="$MEDIA_ROOT"
if [ -d "$aside" ]; then chown --reference="$aside" -R "$MEDIA_ROOT" 2>/dev/null || true; fi

# A dump from older code: bring the schema up to date (deploy/manage.sh reads the env file too).
if [ -x "$PYTHON" ]; then
    APP_DIR="$APP_DIR" PYTHON="$PYTHON" KOTAN_ENV="$KOTAN_ENV" "$APP_DIR/deploy/manage.sh" migrate --noinput
else
    echo "restore.sh: $PYTHON is not executable: migrations NOT run; run deploy/manage.sh migrate yourself" >&2
fi

if have_systemd; then systemctl start $SERVICES; fi
echo "Restored $backup."
if [ -d "$aside" ]; then echo "The media folder as it was before is in $aside (remove it when satisfied)."; fi
