"""Dashboards: the kab/kota report card, the province dashboard and the national dashboard.

Thin views: scope from kotan.access, the period from the request, then the page's rows, totals and
charts from a builder in reports.pages (over reports.selectors: stored scores, a fixed number of queries
whatever the number of kab/kota or periods; shaping in reports.summaries, figures in reports.charts),
built once per fingerprint of what they show and kept in the cache, with an ETag so that an unchanged
page answers 304 (reports.page_cache); the PDF link, per user, is read on each request.
Nothing is scored here; the report card's builder asks the engine's cache what would move one
collection's score most and what each respondent group alone gives (scoring.gains).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from kotan import access
from plans import selectors as plans_selectors
from regions.models import Regency
from reports import page_cache, pages, selectors

KINDS = {k for k, _label in Regency.Kind.choices}


# --- request parameters -------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("tahun", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 4:
        raise Http404(_("Periode tidak ditemukan."))
    return int(raw)


def _period(request: HttpRequest, periods: list[dict], choice: selectors.ReportPeriods) -> dict | None:
    """?tahun=YYYY, else the period the rule opens on (selectors.report_periods)."""
    year = _year(request)
    if year is None:
        return choice.default
    period = next((p for p in periods if p["year"] == year), None)
    if period is None:
        raise Http404(_("Periode tidak ditemukan."))
    return period


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("jenis", "")
    return kind if kind in KINDS else ""


def _base_context(periods, period, choice: selectors.ReportPeriods, kind: str = "") -> dict:
    """What every report page shows around its period: the picker, the rule's note (_period_note.html:
    current and last published period) and whether the period's averages and ranks are provisional."""
    return {
        "periods": periods,
        "period": period,
        "choice": choice,
        "provisional": period is not None and not selectors.is_published(period, timezone.localdate()),
        "kind": kind,
        "kinds": Regency.Kind.choices,
        "synthetic_years": sorted(p["year"] for p in periods if p["is_synthetic"]),
        # years whose results are not published yet: their points on a trend are provisional
        "provisional_years": sorted(
            p["year"] for p in periods if not selectors.is_published(p, timezone.localdate())
        ),
    }


def _cached_page(request, template: str, context: dict, found, build, report, shown=None) -> HttpResponse:
    """A dashboard from its data for the fingerprint `found` (reports.page_cache: build() on a miss) and
    this user's PDF link (`report`, as `shown` shows it with the data); 304 when the browser holds it."""

    def page() -> HttpResponse:
        context.update(page_cache.cached(found, build))
        context["report"] = shown(report, context) if shown else report
        return render(request, template, context)

    return page_cache.respond(request, found, (report,), page)


# --- entry -------------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """/laporan/: each role's own dashboard."""
    user = request.user
    if access.is_national(user):
        return redirect("reports:national")
    if user.role == Role.BNNP and user.province_id:
        return redirect("reports:province", code=user.province.code)
    if user.role == Role.BNNK and user.regency_id:
        return redirect("reports:regency", code=user.regency.code)
    raise Http404(_("Tidak ada dasbor untuk akun ini."))


# --- national -----------------------------------------------------------------------------------------------


@login_required
def national(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.is_national(user):
        return redirect("reports:index")
    periods = selectors.periods_for_reports()
    choice = selectors.report_periods(periods)
    period = _period(request, periods, choice)
    kind = _kind(request)
    context = _base_context(periods, period, choice, kind)
    if period is None:
        return render(request, "reports/national.html", context)

    regencies = access.visible_regencies(user)
    if kind:
        regencies = regencies.filter(kind=kind)
    found = page_cache.fingerprint(("national", kind, page_cache.reach(user)), period, periods)
    return _cached_page(
        request,
        "reports/national.html",
        context,
        found,
        lambda: pages.national_page(period=period, periods=periods, regencies=regencies, base=context),
        pages.national_report(user, period),
    )


# --- province -----------------------------------------------------------------------------------------------


@login_required
def province(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    if len(code) > 2:
        raise Http404(_("Provinsi tidak ditemukan."))
    prov = access.get_province_or_404(user, code)
    if user.role == Role.BNNK:
        # A BNNK sees only its own kab/kota: its report card is its dashboard.
        return redirect("reports:regency", code=user.regency.code)
    periods = selectors.periods_for_reports()
    choice = selectors.report_periods(periods)
    period = _period(request, periods, choice)
    kind = _kind(request)
    context = _base_context(periods, period, choice, kind)
    context["province"] = prov
    if period is None:
        return render(request, "reports/province.html", context)
    regencies = access.visible_regencies(user).filter(province=prov)
    if kind:
        regencies = regencies.filter(kind=kind)
    found = page_cache.fingerprint(("province", prov.code, kind, page_cache.reach(user)), period, periods)
    return _cached_page(
        request,
        "reports/province.html",
        context,
        found,
        lambda: pages.province_page(
            prov=prov, period=period, periods=periods, regencies=regencies, base=context
        ),
        pages.province_report(user, prov, period),
        shown=lambda report, data: pages.province_report_shown(report, data["rows"]),
    )


# --- kab/kota report card ------------------------------------------------------------------------------


@login_required
def regency(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    if len(code) > 4:
        raise Http404(_("Kabupaten/kota tidak ditemukan."))
    reg = access.get_regency_or_404(user, code)
    periods = selectors.periods_for_reports()
    scores = selectors.regency_scores(reg)
    collections = selectors.regency_collections(reg)
    # The rule over the periods this kab/kota takes part in: the card opens on its own collection.
    choice = selectors.report_periods([p for p in periods if p["id"] in collections] or periods)
    period = _period(request, periods, choice)
    context = _base_context(periods, period, choice)
    context["regency"] = reg
    if period is None:
        return render(request, "reports/regency.html", context)
    if not pages.has_current_score(scores, period):
        # Still collecting: the provisional score of a draft is the engine's answer now (score_display).
        card = pages.regency_card(reg, period, periods, scores, collections)
        context.update(pages.regency_head(card))
        context.update(pages.regency_collecting(card))
        return render(request, "reports/regency.html", context)
    # The card shows an earlier action plan's effect: the kab/kota's plan items are part of what it reads.
    found = page_cache.fingerprint(
        ("regency", reg.code, plans_selectors.regency_plans_stamp(reg)), period, periods
    )
    return _cached_page(
        request,
        "reports/regency.html",
        context,
        found,
        lambda: pages.regency_scored(reg, period, periods, scores, collections, context),
        pages.regency_report(user, reg, period),
    )
