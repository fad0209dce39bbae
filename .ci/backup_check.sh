#!/usr/bin/env bash
# CI: deploy/backup.sh and deploy/restore.sh proven on a populated database and media folder.
#
# Fills a fresh PostgreSQL database (kotan_backup_src) and a media folder through the app
# (.ci/backup_check.py populate: regions, instrument, scored periods, evidence uploaded through the
# evidence service), backs them up with deploy/backup.sh, restores into an empty database
# (kotan_backup_dst) and a second media folder with deploy/restore.sh (which also runs
# deploy/manage.sh migrate), then compares: the row count of every public table, the stored scores'
# fingerprint (collection, instrument, basis, input_hash, overall, signature) and the sha256 of every
# evidence file. Finally a copy of the backup with one byte of media.tar.gz flipped must be refused
# by restore.sh with the restored database and media folder left exactly as they were.
# Both databases and the work folder are removed however it ends (and first, after an interrupted run).
set -euo pipefail
cd "$(dirname "$0")/.."

PG=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
SRC=kotan_backup_src
DST=kotan_backup_dst
WORK=${TMPDIR:-/tmp}/kotan_backup_check  # a fixed name, so a killed run's leftovers go at the next run
PY=$PWD/.venv/bin/python
HELPER=.ci/backup_check.py

# Only what this check sets: no broker (tasks eager), no shared cache, demo commands allowed.
unset CELERY_BROKER_URL CELERY_RESULT_BACKEND CACHE_URL DATABASE_URL MEDIA_ROOT
export DEBUG=1 CELERY_TASK_ALWAYS_EAGER=1
export KOTAN_ENV=$WORK/no-such-kotan.env  # never the machine's /etc/kotan/kotan.env

step() { printf '\n--> %s (%d s)\n' "$*" "$SECONDS"; }
admin() { PGOPTIONS=--client-min-messages=warning timeout 120 psql -X -q -v ON_ERROR_STOP=1 "$PG/postgres" "$@"; }
cleanup() {
  admin -c "DROP DATABASE IF EXISTS $SRC WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)" || true
  rm -rf "$WORK" "$WORK".* 2>/dev/null || true
}
fail() { echo "backup check FAILED: $*" >&2; exit 1; }

cleanup  # a previous run that was killed
trap cleanup EXIT
mkdir -m 700 "$WORK"  # not -p: fails if anything else made it meanwhile
mkdir "$WORK/media-src" "$WORK/media-dst" "$WORK/backups"
echo "pg_dump: $(pg_dump --version); server: $(admin -Atc 'SHOW server_version')"

step "Source database $SRC: migrate, regions, instrument, scored periods, evidence uploads"
admin -c "CREATE DATABASE $SRC"
DATABASE_URL=$PG/$SRC MEDIA_ROOT=$WORK/media-src timeout 900 "$PY" "$HELPER" populate
"$PY" "$HELPER" snapshot "$PG/$SRC" "$WORK/media-src" "$WORK/src.json"

step "deploy/backup.sh"
DATABASE_URL=$PG/$SRC MEDIA_ROOT=$WORK/media-src timeout 600 deploy/backup.sh "$WORK/backups"
stamps=("$WORK"/backups/*)
[ "${#stamps[@]}" -eq 1 ] && [ -d "${stamps[0]}" ] || fail "expected one backup in $WORK/backups, found: ${stamps[*]}"
backup=${stamps[0]}
ls -l "$backup" | tail -n +2

step "deploy/restore.sh into the empty database $DST"
admin -c "CREATE DATABASE $DST"
restore() {  # restore BACKUP: into $DST and $WORK/media-dst, no services to stop or start
  DATABASE_URL=$PG/$DST MEDIA_ROOT=$WORK/media-dst SERVICES="" PYTHON=$PY APP_DIR=$PWD \
    timeout 600 deploy/restore.sh "$1" --yes
}
restore "$backup"
"$PY" "$HELPER" snapshot "$PG/$DST" "$WORK/media-dst" "$WORK/dst.json"

step "Compare source and restored copy"
"$PY" "$HELPER" compare "$WORK/src.json" "$WORK/dst.json" || fail "the restored copy differs from the source"

step "A backup with a damaged media.tar.gz is refused, nothing changed"
cp -a "$backup" "$WORK/damaged"
size=$(stat -c %s "$WORK/damaged/media.tar.gz")
"$PY" -c '
import sys
path, offset = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(offset); byte = f.read(1); f.seek(offset); f.write(bytes([byte[0] ^ 0xFF]))
' "$WORK/damaged/media.tar.gz" "$((size / 2))"
echo "flipped byte $((size / 2)) of $size in a copy of media.tar.gz"
asides_before=$(find "$WORK" -maxdepth 1 -name 'media-dst.before-restore-*' | wc -l)
if restore "$WORK/damaged" >"$WORK/refused.log" 2>&1; then
  cat "$WORK/refused.log"; fail "restore.sh accepted a damaged backup"
fi
sed 's/^/  restore.sh: /' "$WORK/refused.log"
grep -q "checksums do not match" "$WORK/refused.log" || fail "refused, but not for the checksum"
asides_after=$(find "$WORK" -maxdepth 1 -name 'media-dst.before-restore-*' | wc -l)
[ "$asides_before" -eq "$asides_after" ] || fail "the media folder was moved aside although the restore was refused"
"$PY" "$HELPER" snapshot "$PG/$DST" "$WORK/media-dst" "$WORK/dst-after.json"
"$PY" "$HELPER" compare "$WORK/dst.json" "$WORK/dst-after.json" >/dev/null \
  || fail "the target changed although the restore was refused"
echo "  refused (exit non-zero), database $DST and its media folder unchanged"

printf "\nBackup check passed in %d s\n" "$SECONDS"
