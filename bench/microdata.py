"""Benchmark of the microdata export and the reliability task at national scale (figures, never assertions).

Builds (once, then reuses: bench/recompute.py's synthetic period, year 2099) 514 kab/kota x 180 questionnaires
at the default instrument's quotas, then runs, each in its own process so each peak is its own:
  1. the microdata build of the national scope (reports.microdata_exports.run: CSV, XLSX, Stata, SPSS and
     the codebook in one pass), with the time of each stage and the peak RSS after each stage,
  2. the reliability task (scoring.reliability_store.compute, forced),
and prints times, rows, file sizes and peak memory (max RSS of that process).

Usage: DATABASE_URL=... python bench/microdata.py [--questionnaires 180] [--regencies 514]
(`make bench-microdata` runs it on PostgreSQL.)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recompute

from assessments.models import Period
from reports import microdata_exports, microdata_files
from scoring import reliability_store

STAGES = {}


def peak_mb() -> float:
    """This process's peak RSS: VmHWM, which starts afresh at exec (getrusage's ru_maxrss keeps the
    parent's peak across fork and exec, so a run started by bench/recompute.py would show its 700 MB)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stage(name, fn):
    """Wrap fn so each call adds its time to STAGES[name] and records the peak RSS after it."""

    def wrapped(*args, **kwargs):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        seconds, _peak = STAGES.get(name, (0.0, 0.0))
        STAGES[name] = (seconds + time.perf_counter() - t0, peak_mb())
        return out

    return wrapped


def measure_microdata(period: Period) -> None:
    microdata_files._Writers.write = _stage(
        "csv + xlsx rows written (reading: total minus stages)", microdata_files._Writers.write
    )
    microdata_files._Writers.close = _stage("xlsx save (+ codebook sheet)", microdata_files._Writers.close)
    microdata_files._stata = _stage("dta", microdata_files._stata)
    microdata_files._spss = _stage("sav", microdata_files._spss)
    microdata_files._codebook = _stage("codebook xlsx", microdata_files._codebook)
    start_peak = peak_mb()
    t0 = time.perf_counter()
    out = microdata_exports.run(period.pk, "")
    total = time.perf_counter() - t0
    print(
        f"microdata national: {out}, {total:.1f} s, peak RSS {peak_mb():.0f} MB (before: {start_peak:.0f} MB)"
    )
    for name, (seconds, peak) in STAGES.items():
        print(f"  {name:40s} {seconds:6.1f} s   peak RSS after {peak:5.0f} MB")
    export = microdata_exports.state_of(period, "").export
    for fmt, f in export.files.items():
        print(f"  {fmt:8s} {f['size'] / 1e6:8.1f} MB  {f['name']}")


def measure_reliability(period: Period) -> None:
    start_peak = peak_mb()
    t0 = time.perf_counter()
    out = reliability_store.compute(period.pk, force=True)
    print(
        f"reliability: {out}, {time.perf_counter() - t0:.1f} s, peak RSS {peak_mb():.0f} MB "
        f"(before: {start_peak:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questionnaires", type=int, default=180)
    parser.add_argument("--regencies", type=int, default=514)
    parser.add_argument("--only", choices=["microdata", "reliability"])
    args = parser.parse_args()
    if args.only:
        period = Period.objects.select_related("instrument").get(year=recompute.BENCH_YEAR)
        (measure_microdata if args.only == "microdata" else measure_reliability)(period)
        return
    period = recompute.ensure_period(args.regencies, args.questionnaires, ask_all=False)
    answers = period.collections.values_list("questionnaires__answers", flat=True).count()
    print(f"period {period.year}: {period.collections.count()} collections, {answers} answers")
    for only in ("microdata", "reliability"):
        subprocess.run([sys.executable, __file__, "--only", only], check=True)


if __name__ == "__main__":
    main()
