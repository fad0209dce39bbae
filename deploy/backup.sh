#!/usr/bin/env bash
# Back up KOTAN: the PostgreSQL database (pg_dump custom format) and the media folder (evidence,
# rendered reports), into BACKUP_DIR/<timestamp>/ with checksums. See deploy/BACKUP.md.
#
#   deploy/backup.sh [BACKUP_DIR]
#
# DATABASE_URL, MEDIA_ROOT, BACKUP_DIR and BACKUP_KEEP_DAYS come from the environment, else from
# $KOTAN_ENV (default /etc/kotan/kotan.env). Safe while the site runs: pg_dump reads one consistent
# snapshot, and evidence files are never changed or removed once written, so a media copy taken
# after the dump holds every file the dump refers to.
set -euo pipefail

KOTAN_ENV=${KOTAN_ENV:-/etc/kotan/kotan.env}
setting() {  # setting NAME DEFAULT: the environment, else the env file, else DEFAULT
    local value=${!1:-}
    if [ -z "$value" ] && [ -r "$KOTAN_ENV" ]; then
        value=$(sed -n "s/^$1=//p" "$KOTAN_ENV" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/')
    fi
    printf '%s' "${value:-$2}"
}

DATABASE_URL=$(setting DATABASE_URL "")
MEDIA_ROOT=$(setting MEDIA_ROOT /srv/kotan/media)
BACKUP_DIR=${1:-$(setting BACKUP_DIR /var/backups/kotan)}
KEEP_DAYS=$(setting BACKUP_KEEP_DAYS 14)
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL (got '${DATABASE_URL%%:*}')" >&2; exit 2 ;;
esac
[ -d "$MEDIA_ROOT" ] || { echo "backup.sh: MEDIA_ROOT $MEDIA_ROOT is not a folder" >&2; exit 2; }

umask 077
target="$BACKUP_DIR/$(date +%Y%m%d-%H%M%S)"
work="$target.part"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$work/kotan.dump" "$DATABASE_URL"
pg_restore --list "$work/kotan.dump" >/dev/null  # the dump is readable
tar --create --gzip --file="$work/media.tar.gz" --directory="$MEDIA_ROOT" .
(cd "$work" && sha256sum kotan.dump media.tar.gz >SHA256SUMS)
mv "$work" "$target"
trap - EXIT

# Keep BACKUP_KEEP_DAYS days of backups (finished ones only; never the one just made).
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '20*' ! -name '*.part' -mtime "+$KEEP_DAYS" \
    ! -path "$target" -exec rm -rf {} +

echo "$target: $(du -sh "$target" | cut -f1) ($(tar -tzf "$target/media.tar.gz" | grep -vc '/$') media files)"
