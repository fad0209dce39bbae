"""Benchmark of the action plan documents (figures, never assertions): how long python-docx and WeasyPrint
take for a plan of --items items (reports.plan_docx.build, reports.pdf.render_pdf on the context
reports.plan_document builds), and how large the files are. Pure: a synthetic context, no database.
Writes both files to bench/out/ so they can be opened and looked at.

Usage: python bench/plan_documents.py [--items 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

import django  # noqa: E402

django.setup()

from reports import pdf, plan_docx  # noqa: E402

STRATEGIES = ("Penguatan kelembagaan", "Pengembangan kapasitas", "Pelibatan pemangku kepentingan")
AGENCIES = ("Kesbangpol", "Dinas PMD", "Dinas Pendidikan", "Satpol PP", "Dinas Kesehatan")
STATUSES = ("Direncanakan", "Berjalan", "Selesai")


def context(n: int) -> dict:
    items = [
        {
            "number": i,
            "indicators": [f"KL{i % 7 + 1} Keberadaan Tim Terpadu P4GN yang aktif", "KK2 Aturan keluarga"],
            "strategy": STRATEGIES[i % 3],
            "agency": AGENCIES[i % 5],
            "activity": f"Rapat koordinasi dan sosialisasi P4GN di kelurahan ke-{i} bersama tokoh masyarakat",
            "output": "Notulen, daftar hadir dan rencana tindak lanjut kelurahan",
            "target_date": "30 Juni 2027",
            "budget": "Rp25.000.000" if i % 2 else "",
            "budget_source": "APBD" if i % 2 else "",
            "status": STATUSES[i % 3],
        }
        for i in range(1, n + 1)
    ]
    return {
        "period": {"year": 2026, "name": "IKOTAN 2026", "is_synthetic": True},
        "regency": {"code": "3573", "name": "Kota Malang", "province": "Jawa Timur"},
        "heading": "RENCANA AKSI P4GN KOTA MALANG TAHUN 2026",
        "title": "Rencana aksi P4GN 2026",
        "result": {
            "overall": 61.5,
            "category": "Tanggap",
            "variables": [("Ketahanan Keluarga", 70.0), ("Kelembagaan", 53.0), ("Lingkungan", 58.2)],
        },
        "items": items,
        "budget_total": "Rp1.250.000.000",
        "heads": {
            "chair": "Ketua Tim Terpadu P4GN Kota Malang",
            "chair_note": "Wali Kota / Sekretaris Daerah",
            "bnnk": "Kepala BNN Kota Malang",
        },
        "today": "7 Desember 2026",
    }


def timed(label: str, build, runs: int) -> bytes:
    times, out = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        out = build()
        times.append(time.perf_counter() - start)
    median = statistics.median(times) * 1000
    print(f"{label}: median {median:.0f} ms over {runs} runs, {len(out) / 1024:.0f} KB")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ctx = context(args.items)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    document = timed(f"DOCX, {args.items} items (python-docx)", lambda: plan_docx.build(ctx), args.runs)
    (out / "rencana-aksi.docx").write_bytes(document)
    content = timed(
        f"PDF, {args.items} items (WeasyPrint)", lambda: pdf.render_pdf("plan.html", ctx), args.runs
    )
    (out / "rencana-aksi.pdf").write_bytes(content)
    print(f"written: {out / 'rencana-aksi.docx'}, {out / 'rencana-aksi.pdf'}")


if __name__ == "__main__":
    main()
