"""Helper of .ci/backup_check.sh: fill a database and media folder, and take comparable snapshots of them.

  backup_check.py populate               DATABASE_URL and MEDIA_ROOT from the environment (DEBUG=1)
  backup_check.py snapshot URL MEDIA OUT every public table's row count, the stored scores' fingerprint,
                                         and the sha256 of every file the database names and every file
                                         in the media folder, as JSON in OUT
  backup_check.py compare A B            prints what was compared; exit 1 on any difference

populate is realistic but small (a CI machine is ~12x slower than a laptop): the regions, the default
instrument, two earlier periods of synthetic verified/final collections for a spread of 43 kab/kota
generated and scored as `load_demo_history` does (the real engine, scoring.services.score_collections),
the current demo period (`load_demo_survey`), and two evidence documents uploaded through the app's
own service (assessments.evidence.services.evidence_upload) by a BNNK user, with a questionnaire autosaved.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORY_REGENCY_STEP = 12  # every 12th kab/kota by code: 43 of 514, all over the country
EVIDENCE_REGENCY = "3573"  # Kota Malang, a participant of the current demo period


def _png() -> bytes:
    """A valid 2x2 RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes([200, 30, 30, 30, 200, 30]) for _ in range(2))
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def populate() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    started = time.monotonic()

    def step(what: str) -> None:
        print(f"  {what} ({time.monotonic() - started:.1f} s)", flush=True)

    call_command("migrate", interactive=False, verbosity=0)
    step("migrated")
    call_command("load_regions", verbosity=0)
    call_command("load_instrument", verbosity=0)
    step("regions and default instrument loaded")

    import numpy as np

    from accounts.models import Role, User
    from assessments import services
    from assessments.autosave import writes
    from assessments.evidence.services import evidence_upload
    from assessments.models import Collection
    from instruments.models import Question
    from regions.models import Regency
    from scoring.management.commands import load_demo_history as history
    from scoring.management.commands.load_demo_collections import PDF
    from scoring.services import score_collections

    # Earlier periods as load_demo_history makes them (same generator and engine), for a subset of the
    # kab/kota: the whole command (3 x 514 kab/kota) takes ~30 s here, minutes on CI.
    everyone = list(Regency.objects.order_by("code").values_list("id", "province__code", "kind"))
    regencies = everyone[::HISTORY_REGENCY_STEP]
    instrument = history.demo_instrument()
    strengths = history.latent_strengths(everyone, np.random.default_rng(history.SEED))
    command = history.Command()
    this_year = timezone.localdate().year
    for back in (2, 1):  # final, then verified
        with transaction.atomic():
            period = command._period(this_year - back, back, instrument, regencies)
            answers = command._collections(period, instrument, regencies, strengths, back)
        run = score_collections(period)
        step(f"period {period.year}: {len(regencies)} kab/kota, {answers} answers, {run.written} scores")

    call_command("load_demo_survey", verbosity=0)
    collection = Collection.objects.get(period__year=this_year, regency__code=EVIDENCE_REGENCY)
    user = User.objects.create_user(
        username="bnnk-backup-check",
        password=None,
        role=Role.BNNK,
        regency=collection.regency,
        first_name="Petugas",
        last_name="Uji Cadangan",
    )
    # A questionnaire through the autosave path (history rows too), and two documents through the
    # evidence service: the files land in MEDIA_ROOT under names only the database knows.
    inst = collection.period.instrument
    group = inst.groups.order_by("order", "id").first()
    questionnaire = services.questionnaire_create(collection=collection, group=group, user=user)
    for question in Question.objects.filter(instrument=inst, groups=group).order_by("id")[:5]:
        option = question.options.order_by("order").first()
        if option is not None:
            writes.questionnaire_save_answer(
                questionnaire=questionnaire,
                question=question,
                raw_value=str(option.value),
                base_version=0,
                user=user,
            )
    evidence_type = inst.evidence_types.filter(required=True).order_by("order").first()
    documents = [
        evidence_upload(
            collection=collection,
            user=user,
            uploaded_file=SimpleUploadedFile("SK Tim Terpadu.pdf", PDF, content_type="application/pdf"),
            evidence_type=evidence_type,
        ),
        evidence_upload(
            collection=collection,
            user=user,
            uploaded_file=SimpleUploadedFile("foto kegiatan.png", _png(), content_type="image/png"),
            title="Foto kegiatan",
        ),
    ]
    step(f"current period with a questionnaire and {len(documents)} evidence files ({collection.regency})")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def snapshot(url: str, media: str, out: str) -> None:
    import psycopg
    from psycopg import sql

    media_root = Path(media)
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        # Names come from the catalogue, quoted as identifiers.
        count = sql.SQL("SELECT count(*) FROM {}")
        counts = {t: conn.execute(count.format(sql.Identifier(t))).fetchone()[0] for t in tables}
        scores = conn.execute(
            "SELECT collection_id, instrument_id, basis, input_hash, overall, signature FROM reports_score "
            "ORDER BY collection_id, instrument_id, basis"
        ).fetchall()
        named = [f for (f,) in conn.execute("SELECT file FROM assessments_evidence ORDER BY file")]
    fingerprint = hashlib.sha256(json.dumps([list(r) for r in scores]).encode()).hexdigest()
    evidence = {f: (_sha256(media_root / f) if (media_root / f).is_file() else "MISSING") for f in named}
    files = {str(p.relative_to(media_root)): _sha256(p) for p in sorted(media_root.rglob("*")) if p.is_file()}
    data = {
        "counts": counts,
        "scores": len(scores),
        "scores_with_hash": sum(1 for r in scores if r[3]),
        "score_fingerprint": fingerprint,
        "evidence": evidence,
        "media_files": files,
    }
    Path(out).write_text(json.dumps(data, indent=1, sort_keys=True))


def compare(a_path: str, b_path: str) -> int:
    a = json.loads(Path(a_path).read_text())
    b = json.loads(Path(b_path).read_text())
    problems = []
    tables = sorted(set(a["counts"]) | set(b["counts"]))
    unequal = [t for t in tables if a["counts"].get(t) != b["counts"].get(t)]
    for table in unequal:
        problems.append(
            f"{table}: {a['counts'].get(table, 'no table')} rows vs {b['counts'].get(table, 'no table')}"
        )
    if a["score_fingerprint"] != b["score_fingerprint"]:
        problems.append(
            f"stored scores differ: {a['score_fingerprint'][:16]} vs {b['score_fingerprint'][:16]}"
        )
    if not a["evidence"]:
        problems.append("the source database names no evidence file")
    for name, digest in sorted(a["evidence"].items()):
        other = b["evidence"].get(name, "NOT NAMED")
        if digest == "MISSING" or digest != other:
            problems.append(f"evidence {name}: {digest[:16]} vs {other[:16]}")
    media_a, media_b = a["media_files"], b["media_files"]
    for name in sorted(set(media_a) | set(media_b)):
        if media_a.get(name) != media_b.get(name):
            problems.append(
                f"media file {name}: {media_a.get(name, 'absent')[:16]} vs {media_b.get(name, 'absent')[:16]}"
            )
    if not a["scores_with_hash"]:
        problems.append("the source database holds no stored score")

    rows = sum(a["counts"].values())
    verdict = "all equal" if not unequal else f"{len(unequal)} differ"
    print(
        f"  tables:   {len(a['counts'])} tables, {rows} rows vs {len(b['counts'])} tables, "
        f"{sum(b['counts'].values())} rows; row counts per table: {verdict}"
    )
    big = sorted(a["counts"].items(), key=lambda kv: -kv[1])[:5]
    print("            largest: " + ", ".join(f"{t} {n}" for t, n in big))
    print(
        f"  scores:   {a['scores']} reports_score rows ({a['scores_with_hash']} with input_hash), "
        f"fingerprint {a['score_fingerprint'][:16]} vs {b['score_fingerprint'][:16]}"
    )
    for name, digest in sorted(a["evidence"].items()):
        print(f"  evidence: {name} sha256 {digest[:16]} vs {b['evidence'].get(name, 'NOT NAMED')[:16]}")
    same = sum(1 for name, digest in media_a.items() if media_b.get(name) == digest)
    print(f"  media:    {len(media_a)} files vs {len(media_b)}, {same} with the same sha256")
    for p in problems:
        print(f"  DIFFERENCE: {p}")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["populate"] and len(argv) == 1:
        populate()
        return 0
    if argv[:1] == ["snapshot"] and len(argv) == 4:
        snapshot(*argv[1:])
        return 0
    if argv[:1] == ["compare"] and len(argv) == 3:
        return compare(*argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
