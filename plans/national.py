"""BNN pusat's national view of the action plans (/rencana-aksi/nasional/) and the export of every item
(CSV and XLSX). Scope from kotan.access: the page is BNN pusat's (anyone else a 404, as the national PDF);
the export is BNN pusat's for every kab/kota and a BNNP's for its province. Rows come from plans.selectors;
the effect from plans.effect, shown with its caveat."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts.models import Role
from kotan import access
from kotan.lib.spreadsheet import safe_cell, safe_row

from . import effect, selectors
from .models import ActionItem


def _national_or_404(user) -> None:
    if not access.is_national(user):
        raise Http404(_("Halaman ini hanya untuk BNN pusat."))


def _year(request: HttpRequest, periods: list[dict]) -> int | None:
    """The period asked for (?tahun=), else the newest with a plan, else the newest; None without periods.
    An unknown or malformed year is a 404."""
    raw = request.GET.get("tahun")
    years = [p["year"] for p in periods]
    if raw:
        if not raw.isdigit() or int(raw) not in years:
            raise Http404(_("Periode tidak ditemukan."))
        return int(raw)
    with_plans = [p["year"] for p in periods if p["plans"]]
    return (with_plans or years or [None])[0]


def _labelled(rows: list[dict], labels: dict[str, str]) -> list[dict]:
    for row in rows:
        row["label"] = labels.get(row["key"], row["key"])
        row["rate"] = 100.0 * row["done"] / row["active"] if row["active"] else None
    return rows


@login_required
def national(request: HttpRequest) -> HttpResponse:
    _national_or_404(request.user)
    periods = selectors.plan_periods()
    year = _year(request, periods)
    scope = access.regency_filter(request.user, "plan__collection__regency")
    context = {"periods": periods, "year": year}
    if year is not None:
        by_strategy = _labelled(
            selectors.item_counts(year, scope, "strategy"), dict(ActionItem.Strategy.choices)
        )
        coverage = selectors.coverage(year, access.regency_filter(request.user, "regency"))
        pooled = selectors.pooled(access.regency_filter(request.user, "collection__regency"))
        context |= {
            "coverage": coverage,
            "coverage_total": {
                "regencies": sum(r["regencies"] for r in coverage),
                "with_plan": sum(r["with_plan"] for r in coverage),
                "signed": sum(r["signed"] for r in coverage),
            },
            "by_strategy": by_strategy,
            "by_agency": _labelled(selectors.item_counts(year, scope, "agency__name"), {}),
            "totals": selectors.completion(by_strategy),
            "pooled": pooled,
            "caveat": _(effect.CAVEAT),
        }
    return render(request, "plans/national/index.html", context)


def effect_card(collection) -> dict | None:
    """What the plan page's effect box shows (templates/plans/national/effect.html): the plan's
    PlanEffect, its caveat and its reason (when not compared) in the page's language; None without a
    plan."""
    return _card(selectors.plan_effect(collection.regency, collection.period.year))


def report_card_effect(regency, year: int) -> dict | None:
    """The effect box of the kab/kota's report card of `year`: its earlier plan compared with `year`
    (the plan whose next scored period this is), None when no plan reaches this year."""
    return _card(selectors.effect_reaching(regency, year))


def _card(found: effect.PlanEffect | None) -> dict | None:
    if found is None:
        return None
    return {
        "effect": found,
        "caveat": _(effect.CAVEAT),
        "reason": _(effect.REASON_TEXT[found.reason]) if found.reason else "",
    }


# --- export -----------------------------------------------------------------------------------------------


def _export_rows(request: HttpRequest) -> list[dict]:
    user = request.user
    if not (access.is_national(user) or (user.role == Role.BNNP and user.province_id is not None)):
        raise Http404(_("Ekspor ini hanya untuk BNN pusat dan BNNP."))
    raw = request.GET.get("tahun")
    if raw and not raw.isdigit():
        raise Http404(_("Periode tidak ditemukan."))
    scope = access.regency_filter(user, "plan__collection__regency")
    return selectors.export_items(scope, timezone.localdate(), int(raw) if raw else None)


def _headers() -> list[str]:
    return [
        _("Periode"),
        _("Kode provinsi"),
        _("Provinsi"),
        _("Kode kab/kota"),
        _("Kabupaten/kota"),
        _("Rencana aksi"),
        _("Kode indikator"),
        _("Strategi"),
        _("Instansi/OPD"),
        _("Kegiatan"),
        _("Keluaran"),
        _("Target selesai"),
        _("Anggaran (Rp)"),
        _("Sumber anggaran"),
        _("Status"),
        _("Selesai pada"),
        _("Terlambat"),
    ]


def _record(row: dict, strategies: dict, statuses: dict) -> list:
    completed = row["completed_at"]
    return [
        row["plan__collection__period__year"],
        row["plan__collection__regency__province__code"],
        safe_cell(row["plan__collection__regency__province__name"]),
        row["plan__collection__regency__code"],
        safe_cell(row["plan__collection__regency__name"]),
        safe_cell(row["plan__title"]),
        row["indicators"],
        strategies.get(row["strategy"], row["strategy"]),
        safe_cell(row["agency__name"]),
        safe_cell(row["activity"]),
        safe_cell(row["expected_output"]),
        row["target_date"].isoformat(),
        int(row["budget"]) if row["budget"] is not None else None,
        safe_cell(row["budget_source"]),
        statuses.get(row["status"], row["status"]),
        timezone.localtime(completed).strftime("%Y-%m-%d %H:%M") if completed else None,
        _("ya") if row["overdue"] else _("tidak"),
    ]


def _records(rows: list[dict]) -> tuple[list[str], list[list]]:
    """The header and the cells, in Bahasa Indonesia (the national report's language)."""
    with translation.override("id"):
        strategies = {k: str(v) for k, v in ActionItem.Strategy.choices}
        statuses = {k: str(v) for k, v in ActionItem.Status.choices}
        return safe_row(_headers()), [_record(r, strategies, statuses) for r in rows]


def _filename(ext: str) -> str:
    return f'attachment; filename="rencana-aksi-{timezone.localdate():%Y%m%d}.{ext}"'


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    header, records = _records(_export_rows(request))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for rec in records:
        writer.writerow(["" if v is None else v for v in rec])
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = _filename("csv")
    return response


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    header, records = _records(_export_rows(request))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="Rencana aksi")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    for rec in records:
        ws.append(rec)
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = _filename("xlsx")
    return response
