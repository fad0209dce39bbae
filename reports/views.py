"""Dashboards: the kab/kota report card, the province dashboard and the national dashboard.

Thin views: scope from kotan.access, rows from reports.selectors (stored scores, a fixed number of
queries whatever the number of kab/kota or periods), shaping in reports.summaries and figures in
reports.charts. Nothing is scored here, except that the report card asks the engine what would move
one collection's score most (assessments.scoring_gains) and what each respondent group alone gives.
"""

from __future__ import annotations

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from assessments.models import Collection
from kotan import access
from regions.models import Regency
from reports import charts, downloads, report_links, selectors, summaries
from reports.models import RenderedReport
from reports.ranking import RANKED_STATES, national_ranking
from reports.summaries import as_float

KINDS = {k for k, _label in Regency.Kind.choices}
STATE_LABELS = dict(Collection.State.choices)


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


def _int(value) -> int | None:
    value = as_float(value)
    return None if value is None else int(value)


def _rank_text(value) -> str:
    rank = _int(value)
    return "–" if rank is None else str(rank)


def _latest(series: pd.Series):
    present = series.dropna() if len(series) else series
    return present.max() if len(present) else None


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


def _url_prefix(name: str, *args) -> str:
    """The URL `name` with a kab/kota code as its last argument, without the code: prefix + code + "/"
    builds each of up to 514 row links without a reverse() per row."""
    return reverse(name, args=[*args, "0000"]).removesuffix("0000/")


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
    variables = selectors.instrument_variables(period["instrument_id"])
    codes = [c for c, _n in variables]
    labels = selectors.band_labels(period["instrument_id"])
    frame = selectors.period_scores(period, regencies, codes)
    prev = selectors.previous_period(periods, period)
    prev_frame = selectors.period_scores(prev, regencies, []) if prev else None
    ranking = national_ranking(frame, prev_frame, variables=codes)
    yearly = selectors.yearly_averages(regencies)
    yearly_categories = selectors.yearly_categories(regencies)

    ver = summaries.verified(frame)
    national_avg = as_float(ver["current"].mean()) if len(ver) else None
    provinces = summaries.province_averages(frame, codes)
    reached = summaries.target_reach(ranking, labels)
    trend = pd.DataFrame({_("Nasional"): summaries.national_trend(yearly)})
    names = dict(variables)

    # Up to 514 rows: numbers formatted once here (charts.num), links from one reversed prefix;
    # {% ranking_rows %} prints them (floatformat and {% url %} per cell cost ~250 ms a page).
    card_url = _url_prefix("reports:regency")
    submitted_reported = frame.set_index("code")["submitted_reported"]
    rows = [
        {
            "rank": str(int(r["rank"])),
            "n": str(int(r["n"])),
            "movement": _int(r["movement"]),
            "code": r["code"],
            "url": f"{card_url}{r['code']}/?tahun={period['year']}",
            "name": r["name"],
            "province": r["province"],
            "reported": charts.num(r["reported"], 2),
            "category": r["category"],
            "submitted": charts.num(as_float(r["submitted_reported"]), 2) or "—",
            "variables": [(charts.num(r[c], 1), _rank_text(r[f"rank_{c}"])) for c in codes],
        }
        for r in ranking.assign(submitted_reported=ranking["code"].map(submitted_reported)).to_dict("records")
    ]
    context.update(
        {
            "report": downloads.report_status(user, period, RenderedReport.ScopeKind.NATIONAL),
            "variables": variables,
            "labels": labels,
            "target_labels": summaries.target_labels(labels),
            "totals": {
                "participants": len(frame),
                "sent": summaries.sent_count(frame),
                "verified": len(ver),
                "ranked": len(ranking),
                "reached": reached,
                "target": period["target_count"],
                "average": national_avg,
            },
            "previous": prev,
            "rows": rows,
            "computed_at": _latest(frame["computed_at"]),
            "charts": {
                "trend": charts.trend(
                    trend, set(context["synthetic_years"]), set(context["provisional_years"])
                ),
                "provinces": charts.provinces_ranked(provinces, national_avg),
                "categories": charts.category_by_province(
                    summaries.category_by_province(frame, labels), labels
                ),
                "target": charts.target_by_year(
                    summaries.target_by_year(yearly_categories, periods, labels), period["year"]
                ),
                "map": charts.results_map(
                    ver.assign(overall=ver["current"])[
                        ["name", "province", "longitude", "latitude", "overall", "category"]
                    ]
                ),
            },
            "variable_names": names,
        }
    )
    return render(request, "reports/national.html", context)


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
    variables = selectors.instrument_variables(period["instrument_id"])
    codes = [c for c, _n in variables]
    names = dict(variables)
    labels = selectors.band_labels(period["instrument_id"])
    frame = selectors.period_scores(period, regencies, codes)
    progress = selectors.quota_progress(period["id"], period["instrument_id"], regencies)
    averages = selectors.period_averages(period, codes)
    history = selectors.regencies_history(regencies, [])
    yearly = selectors.yearly_averages(None)
    prev = selectors.previous_period(periods, period)

    progress_by = progress.set_index("collection_id") if len(progress) else None
    ver = summaries.verified(frame)
    prov_avg = (
        ver[["current", *codes]].mean().rename({"current": "overall"}) if len(ver) else pd.Series(dtype=float)
    )
    yoy = summaries.year_over_year(frame, history, prev["year"] if prev else None).set_index("code")
    ranking = national_ranking(frame, None, variables=codes).set_index("code")

    # Each row's kab/kota report card (PDF) once it has a score; the rows are kab/kota the user may see
    # (access.visible_regencies above), so each link opens for them (rendered, or 202 "sedang disiapkan").
    card_url = _url_prefix("reports:report_pdf_scoped", period["year"], "kabkota")
    records = frame.to_dict("records")
    pdf_ready = report_links.regency_pdfs_ready(period["id"], [r["code"] for r in records])
    rows = []
    for r in records:
        cid = r["collection_id"]
        is_verified = r["state"] in RANKED_STATES
        current = as_float(r["current"])
        counted = progress_by.loc[cid] if progress_by is not None and cid in progress_by.index else None
        rows.append(
            {
                "code": r["code"],
                "name": r["name"],
                "kind": r["kind"],
                "state": r["state"],
                "state_label": STATE_LABELS.get(r["state"], r["state"]),
                "percent": int(counted["percent"]) if counted is not None else 0,
                "quota_met": bool(counted["met"]) if counted is not None else False,
                "complete": int(counted["complete"]) if counted is not None else 0,
                "submitted": as_float(r["submitted"]),
                "verified": current if is_verified else None,
                "current": current,
                # the score of a collection not verified yet is provisional (sementara)
                "provisional": None if is_verified else current,
                "category": r["category"],
                "is_verified": is_verified,
                "rank": _int(ranking.loc[r["code"], "rank"]) if r["code"] in ranking.index else None,
                "change": as_float(yoy.loc[r["code"], "change"]) if r["code"] in yoy.index else None,
                "pdf": f"{card_url}{r['code']}/" if current is not None else None,
                "pdf_ready": r["code"] in pdf_ready,
            }
        )
    heat = ver.set_index("name")[codes].rename(columns=names)
    trend = pd.DataFrame(
        {
            prov.name: summaries.province_trend(yearly, prov.code),
            _("Nasional"): summaries.national_trend(yearly),
        }
    )
    compare = summaries.variable_table(
        {prov.name: prov_avg, _("Nasional"): averages.national}, variables, _("Indeks")
    )
    yoy_frame = yoy.reset_index()
    # The province PDF covers every kab/kota of the province (whatever the kind filter); it is rendered
    # once the province has participants, so with none shown here only an existing one is offered.
    report = downloads.report_status(user, period, RenderedReport.ScopeKind.PROVINCE, prov.code)
    context.update(
        {
            "report": report if report and (rows or report.has_file) else None,
            "variables": variables,
            "labels": labels,
            "rows": rows,
            "previous": prev,
            "totals": {
                "participants": len(frame),
                "verified": len(ver),
                "ranked": len(ranking),
                "average": as_float(prov_avg.get("overall")) if len(prov_avg) else None,
                "national": as_float(averages.national.get("overall")),
                "quota_met": sum(1 for r in rows if r["quota_met"]),
                "quota": progress.attrs["quota"],
                "sent": summaries.sent_count(frame),
                "provisional": sum(1 for r in rows if r["provisional"] is not None),
            },
            "computed_at": _latest(frame["computed_at"]),
            "charts": {
                "heatmap": charts.heatmap(heat, codes),
                "categories": charts.category_distribution(summaries.category_counts(frame, labels), labels),
                "compare": charts.comparison_bars(compare),
                "trend": charts.trend(
                    trend, set(context["synthetic_years"]), set(context["provisional_years"])
                ),
                "change": charts.change_dumbbell(
                    yoy_frame, str(prev["year"]) if prev else "", str(period["year"])
                ),
            },
        }
    )
    return render(request, "reports/province.html", context)


# --- kab/kota report card ------------------------------------------------------------------------------


def _gains_and_groups(collection_id: int, period_id: int, instrument_id: int, indicators, variables, groups):
    """What moves this collection's score most, and the score from each respondent group alone: the
    engine's answer, cached per input fingerprint (reports.gains; the Celery render fills it)."""
    from assessments.models import Instrument
    from reports.gains import collection_gains

    instrument = Instrument.objects.select_related("band_scheme").get(pk=instrument_id)
    found = collection_gains(collection_id, period_id, instrument)
    if found is None:
        return None, None
    gains, per_group = found.gains, found.per_group
    data = found  # variable_codes, group_codes
    by_id = indicators.set_index("indicator_id")
    gains = gains.assign(
        name=gains["indicator_id"].map(by_id["name"]),
        code=gains["indicator_id"].map(by_id["code"]),
        variable=gains["indicator_id"].map(by_id["variable"]),
    )
    group_names = {code: name for code, name, _q in groups}
    # Columns by variable code: six full names do not fit side by side in a half-width card.
    table = pd.DataFrame(
        {
            data.variable_codes.get(vid, str(vid)): per_group[vid].to_numpy()
            for vid in per_group.columns
            if vid not in ("group_id", "overall", "respondents")
        },
        index=[group_names.get(data.group_codes.get(g), str(g)) for g in per_group["group_id"]],
    )
    ordered = [c for c, _n in variables if c in table.columns]
    table = table[ordered]
    table.insert(0, _("Indeks"), per_group["overall"].to_numpy())
    return gains, table


def _collecting(period: dict, reg: Regency, collection_id: int) -> dict:
    """A collection without a stored score yet: its complete questionnaires against the quota, and the
    collection for its score card (reports.score_display: the provisional score while a draft)."""
    progress = selectors.quota_progress(period["id"], period["instrument_id"], regencies=[reg])
    return {
        "collected": {"complete": int(progress["complete"].sum()), "quota": progress.attrs["quota"]},
        "draft": selectors.collection_with_period(collection_id),
    }


@login_required
def regency(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    if len(code) > 4:
        raise Http404(_("Kabupaten/kota tidak ditemukan."))
    reg = access.get_regency_or_404(user, code)
    periods = selectors.periods_for_reports()
    scores = selectors.regency_scores(reg)
    current_rows = scores[scores["basis"] == selectors.CURRENT]
    collections = selectors.regency_collections(reg)
    # The rule over the periods this kab/kota takes part in: the card opens on its own collection.
    choice = selectors.report_periods([p for p in periods if p["id"] in collections] or periods)
    period = _period(request, periods, choice)
    context = _base_context(periods, period, choice)
    context["regency"] = reg
    if period is None:
        return render(request, "reports/regency.html", context)

    variables = selectors.instrument_variables(period["instrument_id"])
    codes = [c for c, _n in variables]
    names = dict(variables)
    indicators = selectors.instrument_indicators(period["instrument_id"])
    groups = selectors.instrument_groups(period["instrument_id"])
    labels = selectors.band_labels(period["instrument_id"])
    averages = selectors.period_averages(period, codes)
    yearly = selectors.yearly_averages(None)
    collection = collections.get(period["id"])

    def pick(basis, year):
        rows = scores[(scores["basis"] == basis) & (scores["year"] == year)]
        return rows.iloc[0].to_dict() if len(rows) else None

    current = pick(selectors.CURRENT, period["year"])
    submitted = pick(selectors.SUBMITTED, period["year"])
    prev = selectors.previous_period(periods, period)
    previous = pick(selectors.CURRENT, prev["year"]) if prev else None
    state = collection["state"] if collection else None
    is_verified = state in RANKED_STATES

    context.update(
        {
            "variables": variables,
            "labels": labels,
            "collection": collection,
            "state": state,
            "state_label": STATE_LABELS.get(state, ""),
            "is_verified": is_verified,
            "current": current,
            "submitted": submitted,
            "previous_period": prev,
        }
    )
    if current is None:
        if collection is not None:
            context.update(_collecting(period, reg, collection["id"]))
        return render(request, "reports/regency.html", context)

    prov_avg = (
        averages.provinces.loc[reg.province.code]
        if reg.province.code in averages.provinces.index
        else pd.Series(dtype=float)
    )
    own = pd.Series({"overall": current["overall"], **current["variables"]})
    radar_frame = summaries.variable_table(
        {reg.name: own, reg.province.name: prov_avg, _("Nasional"): averages.national}, variables, "x"
    ).iloc[1:]
    ind = indicators.assign(
        score=indicators["code"].map(current["indicators"]).astype("float64"),
        variable=indicators["variable"].map(names),
    )
    rank = averages.rank_of(current["overall"]) if is_verified and current["quota_met"] else None

    history = current_rows.sort_values("year")
    trend = pd.DataFrame(
        {
            reg.name: history.set_index("year")["overall"],
            reg.province.name: summaries.province_trend(yearly, reg.province.code),
            _("Nasional"): summaries.national_trend(yearly),
        }
    )
    changes = []
    if previous is not None:
        changes.append({"name": _("Indeks"), "now": current["overall"], "before": previous["overall"]})
        for c, n in variables:
            now, before = current["variables"].get(c), previous["variables"].get(c)
            changes.append({"name": n, "now": now, "before": before})
        for row in changes:
            row["delta"] = (
                row["now"] - row["before"] if row["now"] is not None and row["before"] is not None else None
            )

    gains, per_group = _gains_and_groups(
        collection["id"], period["id"], period["instrument_id"], indicators, variables, groups
    )
    quota = [
        {
            "name": name,
            "n": current["groups"].get(gcode, {}).get("n", 0),
            "quota": current["groups"].get(gcode, {}).get("quota", q),
            "met": current["groups"].get(gcode, {}).get("met", False),
        }
        for gcode, name, q in groups
    ]
    context.update(
        {
            # rendered for every kab/kota with a current score (reports.rendering.period_scopes)
            "report": downloads.report_status(user, period, RenderedReport.ScopeKind.REGENCY, reg.code),
            "rank": rank,
            "province_average": as_float(prov_avg.get("overall")) if len(prov_avg) else None,
            "national_average": as_float(averages.national.get("overall")),
            "previous": previous,
            "changes": changes,
            "quota": quota,
            "variable_rows": [
                (
                    n,
                    current["variables"].get(c),
                    as_float(prov_avg.get(c)) if len(prov_avg) else None,
                    as_float(averages.national.get(c)),
                )
                for c, n in variables
            ],
            "gains": gains.head(8).to_dict("records") if gains is not None else [],
            "computed_at": current["computed_at"],
            "charts": {
                "radar": charts.radar(radar_frame),
                "indicators": charts.indicator_bars(ind),
                "trend": charts.trend(
                    trend, set(context["synthetic_years"]), set(context["provisional_years"])
                ),
                "gains": charts.gains_bars(gains) if gains is not None else None,
                "groups": charts.group_heatmap(per_group) if per_group is not None else None,
            },
        }
    )
    return render(request, "reports/regency.html", context)
