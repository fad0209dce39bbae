"""Benchmark of the dashboards, the ranking export and the API at national scale (figures, never assertions).

Builds (once, then reuses) synthetic scored collections for every kab/kota of the regions table (514)
over 5 periods: Score rows (current and submitted) written in bulk, no questionnaires. Then, with
Django's test client, prints for each URL the median server time over --runs requests and the number
of SQL queries of one request (CaptureQueriesContext): the national dashboard, a province dashboard,
a kab/kota report card, the ranking XLSX export and the API ranking. A page whose URL name is not in
reports/urls.py is skipped with a note. With --pdf it also times rendering the national PDF and one
report card (WeasyPrint), which Celery does in the background.

Usage: python bench/dashboards.py [--runs 15] [--pdf]   (`make bench-dashboards`)
Uses $DATABASE_URL if set, else SQLite in bench/out/dashboards.sqlite3 (never the development db).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
if not os.environ.get("DATABASE_URL"):
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / 'out' / 'dashboards.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from assessments.models import Collection, Period  # noqa: E402
from instruments.models import Indicator, RespondentGroup, Variable  # noqa: E402
from instruments.services import instrument_load_default  # noqa: E402
from regions.models import Province, Regency  # noqa: E402
from scoring.models import Score  # noqa: E402

YEARS = [2091, 2092, 2093, 2094, 2095]  # far from real periods; this database is the bench's own
LABELS = [
    (20, "Tidak Tanggap"),
    (40, "Kurang Tanggap"),
    (60, "Cukup Tanggap"),
    (80, "Tanggap"),
    (101, "Sangat Tanggap"),
]


def category(value: float) -> str:
    return next(label for upper, label in LABELS if round(value, 2) <= upper)


def build() -> None:
    call_command("migrate", verbosity=0)
    if not Regency.objects.exists():
        call_command("load_regions", verbosity=0)
    if Period.objects.filter(year__in=YEARS).count() == len(YEARS):
        return
    print("Building 514 kab/kota x 5 periods of synthetic scores (once) ...", flush=True)
    started = time.perf_counter()
    instrument, _created = instrument_load_default()
    variables = list(Variable.objects.filter(instrument=instrument).values_list("code", flat=True))
    indicators = list(
        Indicator.objects.filter(variable__instrument=instrument).values_list("code", flat=True)
    )
    groups = list(RespondentGroup.objects.filter(instrument=instrument).values_list("code", "min_quota"))
    regencies = list(Regency.objects.all())
    rng = random.Random(2091)
    base = {r.pk: rng.uniform(35, 75) for r in regencies}
    has_checked_at = any(f.name == "checked_at" for f in Score._meta.get_fields())
    today = timezone.localdate()
    with transaction.atomic():
        for i, year in enumerate(YEARS):
            period = Period.objects.create(
                year=year,
                name=f"IKOTAN {year} (sintetis, bench)",
                instrument=instrument,
                collection_opens=today.replace(year=year - 1),
                collection_deadline=today.replace(year=year - 1),
                verification_deadline=today.replace(year=year - 1),
                target_count=60 + 20 * i,
                is_synthetic=True,
            )
            period.participants.set(regencies)
            last = year == YEARS[-1]
            states = ["verified"] * 8 + ["final"] + (["submitted"] if last else ["verified"])
            # Setting the participants made draft collections: give them their states.
            Collection.objects.bulk_create(
                (
                    Collection(period=period, regency=r, state=rng.choice(states), review_round=1)
                    for r in regencies
                ),
                update_conflicts=True,
                unique_fields=["period", "regency"],
                update_fields=["state", "review_round"],
            )
            collections = Collection.objects.filter(period=period).values_list("id", "regency_id")
            now = timezone.now()
            scores = []
            for cid, rid in collections:
                level = base[rid] + 2.5 * i
                var = {c: round(min(100, max(0, rng.gauss(level, 8))), 4) for c in variables}
                ind = {c: round(min(100, max(0, rng.gauss(level, 12))), 4) for c in indicators}
                overall = sum(var.values()) / len(var)
                grp = {code: {"n": quota, "quota": quota, "met": True} for code, quota in groups}
                for basis, value in (
                    ("current", overall),
                    ("submitted", max(0.0, overall - rng.uniform(0, 3))),
                ):
                    fields = {
                        "collection_id": cid,
                        "instrument": instrument,
                        "basis": basis,
                        "overall": value,
                        "reported": round(value, 2),
                        "category": category(value),
                        "variables": var,
                        "indicators": ind,
                        "groups": grp,
                        "quota_met": True,
                        "respondents": sum(q for _c, q in groups),
                        "input_hash": f"bench-{cid}-{basis}",
                        "computed_at": now,
                    }
                    if has_checked_at:
                        fields["checked_at"] = now
                    scores.append(Score(**fields))
            Score.objects.bulk_create(scores, batch_size=2000)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


def user(username: str, role: str, **scope) -> User:
    found, _ = User.objects.get_or_create(username=username, defaults={"role": role, **scope})
    return found


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def measure(client: Client, url: str, runs: int) -> tuple[float, int, int, int, int]:
    """(median ms, queries, status, bytes, bytes sent to a browser accepting gzip) over `runs` requests
    after one warm-up. The timed requests ask for no compression."""
    response = client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        body = _body(response)  # a streamed file is read to its end, as a browser would
        times.append((time.perf_counter() - started) * 1000)
    sent = len(_body(client.get(url, headers={"accept-encoding": "gzip"})))
    return statistics.median(times), queries, response.status_code, len(body), sent


def url_or_none(name: str, *args, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--pdf", action="store_true", help="also time rendering the national PDF and a report card"
    )
    args = parser.parse_args()
    build()
    year = YEARS[-1]
    pusat = user("bench.pusat", Role.PUSAT)
    bnnp = user("bench.jatim", Role.BNNP, province=Province.objects.get(code="35"))
    bnnk = user("bench.malang", Role.BNNK, regency=Regency.objects.get(code="3573"))
    rows = Collection.objects.filter(period__year=year).count()
    print(
        f"Database: {connection.vendor}; {Regency.objects.count()} kab/kota, {len(YEARS)} periods, "
        f"{Score.objects.count()} Score rows; period {year} ({rows} collections), {args.runs} runs each"
    )
    cases = [
        ("national dashboard", pusat, url_or_none("reports:national", query=f"?tahun={year}")),
        ("province dashboard (35)", bnnp, url_or_none("reports:province", "35", query=f"?tahun={year}")),
        ("report card (3573)", bnnk, url_or_none("reports:regency", "3573", query=f"?tahun={year}")),
        ("ranking XLSX export", pusat, url_or_none("reports:ranking_xlsx", year)),
        ("ranking CSV export", pusat, url_or_none("reports:ranking_csv", year)),
        ("API ranking (page of 100)", pusat, f"/api/periods/{year}/ranking"),
        ("API ranking (page of 500)", pusat, f"/api/periods/{year}/ranking?page_size=500"),
        ("API scores (page of 100)", pusat, f"/api/periods/{year}/scores"),
    ]
    print(f"{'':28} {'median ms':>10} {'queries':>8} {'status':>7} {'bytes':>9} {'gzipped':>9}")
    for label, who, url in cases:
        if url is None:
            print(f"{label:28} skipped: URL name not in reports/urls.py yet")
            continue
        client = Client()
        client.force_login(who)
        median, queries, status, size, sent = measure(client, url, args.runs)
        print(f"{label:28} {median:10.1f} {queries:8d} {status:7d} {size:9d} {sent:9d}")
    if args.pdf:
        from reports import rendering

        period = Period.objects.select_related("instrument").get(year=year)
        started = time.perf_counter()
        data = rendering.load_period(period)
        print(f"PDF: loading the period's report data {1000 * (time.perf_counter() - started):.0f} ms")
        for scope, key in (("national", ""), ("province", "35"), ("regency", "3573")):
            context = rendering.report_context(
                data, scope, key, today=timezone.localdate(), with_levers=False
            )
            started = time.perf_counter()
            content = rendering.pdf.render_pdf(rendering.TEMPLATES[scope], context)
            print(f"PDF: {scope} {key} {1000 * (time.perf_counter() - started):.0f} ms, {len(content)} bytes")


if __name__ == "__main__":
    main()
