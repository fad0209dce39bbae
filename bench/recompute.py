"""Benchmark of the period-wide score task at national scale (figures, never assertions).

Builds (once, then reuses) a synthetic national period on the configured database: every kab/kota
of the regions table (514) x 180 questionnaires at the default instrument's quotas x the questions
asked of each group (~4.6 million answers), all submitted. Then measures, in one run:
  1. loading the period's answers into a DataFrame (assessments.snapshots.live_answers),
  2. scoring them (scoring.engine.score),
  3. the whole period task (scoring.tasks.recompute_period) from no stored scores, incl. saving,
  4. the same task again with unchanged inputs (writes nothing),
  5. in a child process of its own: the bootstrap's intervals alone (scoring.intervals.bootstrap, R=1000
     per kab/kota; part of the task above) with its time and peak memory, then the rank intervals of
     every kab/kota from those replicates (national and per province),
  6. in a process of its own (bench/microdata.py --only microdata, on this same period): the national
     microdata export (CSV, XLSX, Stata, SPSS, codebook) with its time and peak memory (skip: --no-microdata),
and prints times, answers per second, peak memory (max RSS of this process) and the ratio
whole task / loading alone.

Usage: DATABASE_URL=... python bench/recompute.py [--questionnaires 180] [--regencies 514]
(`make bench` runs it on SQLite in bench/out/ and on PostgreSQL.)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as kotan/__init__.py sets it for the app (numpy below)

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments import snapshots  # noqa: E402
from assessments.models import Collection, Period, Questionnaire  # noqa: E402
from instruments.models import Instrument, Option, Question  # noqa: E402
from instruments.services import instrument_copy, instrument_load_default  # noqa: E402
from regions.models import Regency  # noqa: E402
from scoring import engine, inputs, intervals, tasks  # noqa: E402
from scoring.models import Score  # noqa: E402

BENCH_YEAR = 2099
MICRODATA_BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "microdata.py")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _insert(table: str, columns: list[str], rows: np.ndarray) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite (no model instances, no history rows)."""
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows.tolist():
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows.tolist())


def build(period: Period, per_collection: int, rng: np.random.Generator) -> None:
    instrument = period.instrument
    groups = list(instrument.groups.order_by("order"))
    quota_total = sum(g.min_quota for g in groups) or 1
    counts = {g.pk: max(1, round(per_collection * g.min_quota / quota_total)) for g in groups}
    asked = {g.pk: list(Question.objects.filter(groups=g).values_list("pk", "kind")) for g in groups}
    values: dict[int, np.ndarray] = {}
    for qid, value in Option.objects.filter(question__instrument=instrument).values_list(
        "question_id", "value"
    ):
        values.setdefault(qid, [])
        values[qid].append(value)
    values = {k: np.array(v) for k, v in values.items()}
    now = timezone.now()
    collections = list(period.collections.order_by("pk").values_list("pk", flat=True))
    next_qn = (Questionnaire.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    t0 = time.perf_counter()
    for n, cid in enumerate(collections, 1):
        qn_rows, answer_rows = [], []
        for g in groups:
            qs = asked[g.pk]
            for _ in range(counts[g.pk]):
                qn_rows.append(
                    (next_qn, cid, g.pk, "", "", now.date(), "staff", "complete", "", now, now, now)
                )
                level = rng.integers(0, 3)  # respondents differ in how favourable they answer
                for qid, kind in qs:
                    options = values[qid]
                    if kind == "number":
                        value = float(rng.integers(0, 12))
                    else:
                        idx = min(len(options) - 1, max(0, rng.integers(0, len(options)) + level - 1))
                        value = float(np.sort(options)[idx])
                    answer_rows.append((next_qn, qid, value, 1, now))
                next_qn += 1
        with transaction.atomic():
            _insert(
                Questionnaire._meta.db_table,
                [
                    "id",
                    "collection_id",
                    "group_id",
                    "label",
                    "village",
                    "filled_on",
                    "method",
                    "state",
                    "excluded_reason",
                    "created_at",
                    "completed_at",
                    "updated_at",
                ],
                np.array(qn_rows, dtype=object),
            )
            _insert(
                "assessments_answer",
                ["questionnaire_id", "question_id", "value", "version", "updated_at"],
                np.array(answer_rows, dtype=object),
            )
        if n % 50 == 0 or n == len(collections):
            print(
                f"  built {n}/{len(collections)} collections ({time.perf_counter() - t0:.0f} s)", flush=True
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('assessments_questionnaire', 'id'), "
                "(SELECT MAX(id) FROM assessments_questionnaire))"
            )
            cursor.execute("ANALYZE assessments_answer; ANALYZE assessments_questionnaire")


def bench_instrument(ask_all: bool):
    """The default instrument; with --ask-all a copy asking every question of every group (~52 answers
    per questionnaire, the issue's ~4.6 million answers for 514 x 180)."""
    instrument, _ = instrument_load_default()
    if not ask_all:
        return instrument
    version = f"{instrument.version}-bench-all"
    copy = Instrument.objects.filter(version=version).first()
    if copy is None:
        copy = instrument_copy(instrument=instrument, version=version, name="Bench: semua pertanyaan")
        groups = list(copy.groups.all())
        for question in copy.questions.all():
            question.groups.set(groups)
    return copy


def ensure_period(n_regencies: int, per_collection: int, ask_all: bool) -> Period:
    call_command("migrate", verbosity=0)
    if not Regency.objects.exists():
        call_command("load_regions", verbosity=0)
    instrument = bench_instrument(ask_all)
    today = timezone.localdate()
    period, _ = Period.objects.get_or_create(
        year=BENCH_YEAR,
        defaults={
            "name": f"Bench nasional (sintetis{', semua pertanyaan' if ask_all else ''})",
            "instrument": instrument,
            "collection_opens": today,
            "collection_deadline": today,
            "verification_deadline": today,
            "is_synthetic": True,
        },
    )
    if period.instrument_id != instrument.pk:
        raise SystemExit(f"Year {BENCH_YEAR} exists with another instrument: use a fresh database.")
    regencies = list(Regency.objects.order_by("code")[:n_regencies])
    period.participants.set(regencies)
    # Setting the participants made draft collections: the new ones are submitted here.
    Collection.objects.filter(period=period, state=Collection.State.DRAFT).update(
        state=Collection.State.SUBMITTED
    )
    have = Questionnaire.objects.filter(collection__period=period).count()
    if have == 0:
        print(f"Building the synthetic period ({n_regencies} kab/kota x {per_collection} questionnaires) ...")
        build(period, per_collection, np.random.default_rng(2026))
    else:
        print(f"Reusing the synthetic period ({have} questionnaires); delete year {BENCH_YEAR} to rebuild.")
    return period


def bootstrap_child(period_id: int, out) -> None:
    """In a fresh process: load the answers, then measure the bootstrap alone (time, tracemalloc peak of
    its own allocations, max RSS of the process) and the rank intervals from its replicates."""
    period = Period.objects.select_related("instrument").get(pk=period_id)
    data = inputs.instrument_data(period.instrument)
    answers = snapshots.live_answers(period.pk)
    rss_loaded = peak_mb()
    tracemalloc.start()
    boot, t_boot = timed(lambda: intervals.bootstrap(answers, data.frames))
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    provinces = dict(period.collections.values_list("pk", "regency__province_id"))
    reps = {int(c): boot.overall[k] for k, c in enumerate(boot.collections)}
    ranked, t_rank = timed(lambda: intervals.rank_intervals(reps, provinces))
    out.put(
        {
            "collections": len(boot.collections),
            "replicates": boot.replicates,
            "bootstrap_s": t_boot,
            "traced_mb": traced,
            "rss_loaded_mb": rss_loaded,
            "rss_peak_mb": peak_mb(),
            "rank_s": t_rank,
            "ranked": len(ranked),
        }
    )


def measure_bootstrap(period: Period) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=bootstrap_child, args=(period.pk, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questionnaires", type=int, default=180)
    parser.add_argument("--regencies", type=int, default=514)
    parser.add_argument("--ask-all", action="store_true", help="every question asked of every group")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-microdata", action="store_true", help="skip the microdata export's figures")
    args = parser.parse_args()
    period = ensure_period(args.regencies, args.questionnaires, args.ask_all)
    db = f"{connection.vendor} ({connection.settings_dict['NAME']})"

    data = inputs.instrument_data(period.instrument)
    # Rounds interleave the measurements, so load from other processes on this (shared, 2-core)
    # machine falls on all of them alike; medians are printed.
    loads, scores, task_times = [], [], []
    n = 0
    run = None
    for _ in range(args.rounds):
        answers, t = timed(lambda: snapshots.live_answers(period.pk))
        loads.append(t)
        n = len(answers)
        result, t = timed(lambda frame=answers: engine.score(frame, data.frames))
        scores.append(t)
        assert len(result.overall) == period.collections.count()
        answers = result = None  # free before the task measures its own peak
        Score.objects.filter(collection__period=period).delete()  # the task starts from nothing stored
        run, t = timed(lambda: tasks.recompute_period(period.pk))
        task_times.append(t)
    again, t_again = timed(lambda: tasks.recompute_period(period.pk))
    t_load, t_score, t_task = (statistics.median(x) for x in (loads, scores, task_times))

    print()
    print(f"database            {db}")
    print(f"collections         {period.collections.count()}")
    print(f"answers             {n:,}")
    print(f"rounds              {args.rounds} (medians; all: load {_fmt(loads)}, task {_fmt(task_times)})")
    print(f"load answers        {t_load:7.2f} s   {n / t_load:12,.0f} answers/s")
    print(f"score (engine)      {t_score:7.2f} s   {n / t_score:12,.0f} answers/s")
    print(f"period task         {t_task:7.2f} s   {n / t_task:12,.0f} answers/s   {run}")
    print(f"task, unchanged     {t_again:7.2f} s   {again}")
    print(f"ratio task / load   {t_task / t_load:7.2f}   (target <= 1.5)")
    print(f"peak memory (RSS)   {peak_mb():7.0f} MB  (target <= 2048)")
    b = measure_bootstrap(period)
    print(
        f"bootstrap (child)   {b['bootstrap_s']:7.2f} s   {b['collections']} kab/kota x {b['replicates']} "
        "replicates  (target <= 20 s)"
    )
    print(
        f"bootstrap memory    {b['rss_peak_mb']:7.0f} MB  peak RSS of the child (answers loaded: "
        f"{b['rss_loaded_mb']:.0f} MB; the bootstrap's own allocations peak {b['traced_mb']:.0f} MB; "
        "target <= 2048)"
    )
    print(f"rank intervals      {b['rank_s']:7.2f} s   {b['ranked']} kab/kota, national and per province")
    if not args.no_microdata:
        print("microdata export    (bench/microdata.py --only microdata; target <= 1024 MB)", flush=True)
        subprocess.run([sys.executable, MICRODATA_BENCH, "--only", "microdata"], check=True)


def _fmt(values) -> str:
    return " ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
