"""Builders of the dashboard pages: the rows, totals and charts of the national and province dashboards
and the kab/kota report card, from reports.selectors' frames, shaped by reports.summaries and drawn by
reports.charts.

Each builder returns the part of a page's context below its period picker, so the views in reports.views
read like a table of contents: scope, period, then one builder. Nothing is scored here, except that the
report card asks the engine (through scoring.gains' cache) what would move one collection's score most.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.models import Collection
from instruments.models import Instrument
from plans import national as plans_national
from regions.models import Province, Regency
from reports import charts, downloads, maps, report_links, selectors, summaries, uncertainty
from reports.models import RenderedReport
from reports.ranking import RANKED_STATES, national_ranking
from reports.summaries import as_float
from reports.templatetags.reports_charts import ranking_rows
from scoring import engine
from scoring.gains import collection_gains

STATE_LABELS = dict(Collection.State.choices)


# --- small shaping helpers, shared with the national dashboard ------------------------------------------


def as_int(value) -> int | None:
    value = as_float(value)
    return None if value is None else int(value)


def range_text(found: tuple[int, int] | None) -> str:
    """A rank range as "61–104", or "" without one."""
    return f"{found[0]}–{found[1]}" if found else ""


def rank_text(value) -> str:
    rank = as_int(value)
    return "–" if rank is None else str(rank)


def latest(series: pd.Series):
    present = series.dropna() if len(series) else series
    return present.max() if len(present) else None


def url_prefix(name: str, *args) -> str:
    """The URL `name` with a kab/kota code as its last argument, without the code: prefix + code + "/"
    builds each of up to 514 row links without a reverse() per row."""
    return reverse(name, args=[*args, "0000"]).removesuffix("0000/")


def trend_chart(trend: pd.DataFrame, base: dict):
    """A trend chart marking the page's synthetic and provisional years (from _base_context)."""
    return charts.trend(trend, set(base["synthetic_years"]), set(base["provisional_years"]))


# --- national dashboard ----------------------------------------------------------------------------------


def national_report(user, period: dict):
    """The national PDF's link for this user (reports.downloads.report_status), or None."""
    return downloads.report_status(user, period, RenderedReport.ScopeKind.NATIONAL)


def national_page(*, period: dict, periods: list[dict], regencies, base: dict) -> dict:
    """The national dashboard of `period` over `regencies` (every kab/kota, or those of the chosen kind):
    the same for every user of the same reach (reports.page_cache keeps it; the PDF link is the view's)."""
    variables = selectors.instrument_variables(period["instrument_id"])
    codes = [c for c, _n in variables]
    labels = selectors.band_labels(period["instrument_id"])
    frame = selectors.period_scores(period, regencies, codes)
    prev = selectors.previous_period(periods, period)
    prev_frame = selectors.period_scores(prev, regencies, []) if prev else None
    ranking = national_ranking(frame, prev_frame, variables=codes)
    ranges = uncertainty.rank_ranges(frame, selectors.rank_intervals(period["id"]))
    yearly = selectors.yearly_averages(regencies)
    yearly_categories = selectors.yearly_categories(regencies)
    ver = summaries.verified(frame)
    national_avg = as_float(ver["current"].mean()) if len(ver) else None
    averages = summaries.province_averages(frame, codes)
    rows = national_rows(frame, ranking, codes, period, ranges)
    return {
        "variables": variables,
        "labels": labels,
        "target_labels": summaries.target_labels(labels),
        "totals": {
            "participants": len(frame),
            "sent": summaries.sent_count(frame),
            "verified": len(ver),
            "ranked": len(ranking),
            "reached": summaries.target_reach(ranking, labels),
            "target": period["target_count"],
            "average": national_avg,
        },
        "previous": prev,
        "rows": rows,
        # the table's 514 rows as HTML once per fingerprint (reports.page_cache), not once per request
        "ranking_html": ranking_rows(rows, prev is not None, variables),
        "computed_at": latest(frame["computed_at"]),
        "charts": {
            "trend": trend_chart(pd.DataFrame({_("Nasional"): summaries.national_trend(yearly)}), base),
            "provinces": charts.provinces_ranked(averages, national_avg),
            "categories": charts.category_by_province(summaries.category_by_province(frame, labels), labels),
            "target": charts.target_by_year(
                summaries.target_by_year(yearly_categories, periods, labels), period["year"]
            ),
            "map": national_map(ver, ranking, averages, labels),
        },
        "variable_names": dict(variables),
        # no range printed from rank intervals of another ranked set: "sedang dihitung" (or, with the kind
        # filter, a ranking of its own that the stored intervals are not of)
        "ranges_current": ranges.current,
        "has_intervals": any(r["interval"] for r in rows),
    }


def national_map(
    verified: pd.DataFrame, ranking: pd.DataFrame, averages: pd.DataFrame, labels: list[str]
) -> charts.Figure:
    """Indonesia's provinces by their kab/kota's average verified index (`averages`:
    summaries.province_averages), every ranked kab/kota a point coloured by category (reports.maps); on a
    phone the legends come under the map at their own size."""
    provinces = summaries.map_provinces(averages)
    points = summaries.map_points(verified, ranking)
    scale = {"value_label": _("Rata-rata indeks")}
    return charts.Figure(
        maps.national_map_svg(provinces, points, labels, **scale),
        maps.national_map_svg(provinces, points, labels, legend=False, width=600, **scale)
        + maps.national_legend_svg(provinces, points, labels, **scale),
    )


def province_map(
    code: str, verified: pd.DataFrame, ranking: pd.DataFrame, labels: list[str]
) -> charts.Figure:
    """The province's shape with its ranked kab/kota as points coloured by category (reports.maps)."""
    points = summaries.map_points(verified, ranking)
    return charts.Figure(
        maps.province_map_svg(code, points, labels),
        maps.province_map_svg(code, points, labels, legend=False, width=600)
        + maps.province_legend_svg(code, points, labels),
    )


def national_rows(
    frame, ranking, codes: list[str], period: dict, ranges: uncertainty.RankRanges | None = None
) -> list[dict]:
    """The ranking table, up to 514 rows: numbers formatted once here (charts.num), links from one
    reversed prefix; {% ranking_rows %} prints them (floatformat and {% url %} per cell cost ~250 ms a
    page). With each row its rank range (`ranges`, only when of this ranked set) and its index's and
    variables' 95 % intervals (Score.ci)."""
    card_url = url_prefix("reports:regency")
    by_code = frame.set_index("code")
    submitted_reported, ci, ids = by_code["submitted_reported"], by_code["ci"], by_code["collection_id"]
    ranges = ranges or uncertainty.RankRanges(current=False, data={})
    return [
        {
            "rank": str(int(r["rank"])),
            "n": str(int(r["n"])),
            "rank_range": range_text(ranges.of(ids[r["code"]])),
            "interval": uncertainty.interval_text(uncertainty.interval(ci[r["code"]], "reported")),
            "variable_intervals": [
                uncertainty.interval_text(uncertainty.interval(ci[r["code"]], "variables", c), 1)
                for c in codes
            ],
            "movement": as_int(r["movement"]),
            "code": r["code"],
            "url": f"{card_url}{r['code']}/?tahun={period['year']}",
            "name": r["name"],
            "province": r["province"],
            "reported": charts.num(r["reported"], 2),
            "category": r["category"],
            "submitted": charts.num(as_float(r["submitted_reported"]), 2) or "—",
            "variables": [(charts.num(r[c], 1), rank_text(r[f"rank_{c}"])) for c in codes],
        }
        for r in ranking.assign(submitted_reported=ranking["code"].map(submitted_reported)).to_dict("records")
    ]


# --- province dashboard ----------------------------------------------------------------------------------


def province_page(*, prov: Province, period: dict, periods: list[dict], regencies, base: dict) -> dict:
    """The province dashboard of `period` over `regencies` (the kab/kota of `prov` the user may see,
    of the chosen kind), without its PDF link (province_report)."""
    variables = selectors.instrument_variables(period["instrument_id"])
    codes = [c for c, _n in variables]
    labels = selectors.band_labels(period["instrument_id"])
    frame = selectors.period_scores(period, regencies, codes)
    progress = selectors.quota_progress(period["id"], period["instrument_id"], regencies)
    averages = selectors.period_averages(period, codes)
    history = selectors.regencies_history(regencies, [])
    yearly = selectors.yearly_averages(None)
    prev = selectors.previous_period(periods, period)

    ver = summaries.verified(frame)
    prov_avg = (
        ver[["current", *codes]].mean().rename({"current": "overall"}) if len(ver) else pd.Series(dtype=float)
    )
    yoy = summaries.year_over_year(frame, history, prev["year"] if prev else None).set_index("code")
    ranking = national_ranking(frame, None, variables=codes).set_index("code")
    rows = province_rows(frame, period, progress, ranking, yoy, province_ranges(period, base))
    return {
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
        "computed_at": latest(frame["computed_at"]),
        "charts": {
            "heatmap": charts.heatmap(ver.set_index("name")[codes].rename(columns=dict(variables)), codes),
            "categories": charts.category_distribution(summaries.category_counts(frame, labels), labels),
            "compare": charts.comparison_bars(
                summaries.variable_table(
                    {prov.name: prov_avg, _("Nasional"): averages.national}, variables, _("Indeks")
                ),
                [_("Indeks"), *codes],
            ),
            "trend": trend_chart(
                pd.DataFrame(
                    {
                        prov.name: summaries.province_trend(yearly, prov.code),
                        _("Nasional"): summaries.national_trend(yearly),
                    }
                ),
                base,
            ),
            "change": charts.change_dumbbell(
                yoy.reset_index(), str(prev["year"]) if prev else "", str(period["year"])
            ),
            "map": province_map(prov.code, ver, ranking.reset_index(), labels),
        },
    }


def province_report(user, prov: Province, period: dict):
    """The province PDF's link for this user (reports.downloads.report_status), or None."""
    return downloads.report_status(user, period, RenderedReport.ScopeKind.PROVINCE, prov.code)


def province_report_shown(report, rows: list[dict]):
    """The province PDF covers every kab/kota of the province (whatever the kind filter); it is rendered
    once the province has participants, so with none shown here only an existing one is offered."""
    return report if report and (rows or report.has_file) else None


def province_ranges(period: dict, base: dict) -> uncertainty.RankRanges:
    """The province ranks' ranges of the period, when the page ranks the whole province (no kind filter)
    and the stored rank intervals are of the period's ranked set now (two queries)."""
    if base.get("kind"):
        return uncertainty.RankRanges(current=False, data={})
    whole = selectors.period_scores(period, None, [])
    return uncertainty.rank_ranges(whole, selectors.rank_intervals(period["id"]))


def province_rows(frame, period: dict, progress, ranking, yoy, ranges=None) -> list[dict]:
    """One row per kab/kota: state, quota progress, scores, rank (with its range in the province, when
    `ranges` has it), change, and its report card (PDF)."""
    ranges = ranges or uncertainty.RankRanges(current=False, data={})
    # Each row's kab/kota report card (PDF) once it has a score; the rows are kab/kota the user may see
    # (access.visible_regencies), so each link opens for them (rendered, or 202 "sedang disiapkan").
    card_url = url_prefix("reports:report_pdf_scoped", period["year"], "kabkota")
    records = frame.to_dict("records")
    pdf_ready = report_links.regency_pdfs_ready(period["id"], [r["code"] for r in records])
    progress_by = progress.set_index("collection_id") if len(progress) else None
    rows = []
    for r in records:
        cid = r["collection_id"]
        counted = progress_by.loc[cid] if progress_by is not None and cid in progress_by.index else None
        row = _province_row(r, counted)
        row.update(
            rank=as_int(ranking.loc[r["code"], "rank"]) if r["code"] in ranking.index else None,
            rank_range=range_text(ranges.of(cid, "province")) if r["code"] in ranking.index else "",
            change=as_float(yoy.loc[r["code"], "change"]) if r["code"] in yoy.index else None,
            pdf=f"{card_url}{r['code']}/" if row["current"] is not None else None,
            pdf_ready=r["code"] in pdf_ready,
        )
        rows.append(row)
    return rows


def _province_row(r: dict, counted) -> dict:
    is_verified = r["state"] in RANKED_STATES
    current = as_float(r["current"])
    return {
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
    }


# --- kab/kota report card --------------------------------------------------------------------------------


@dataclass
class RegencyCard:
    """What the report card of one kab/kota in one period reads (selectors), before any shaping."""

    reg: Regency
    period: dict
    prev: dict | None
    variables: list
    labels: dict
    indicators: pd.DataFrame
    groups: list
    averages: selectors.PeriodAverages
    yearly: pd.DataFrame
    history: pd.DataFrame  # the kab/kota's current scores, one row a year
    collection: dict | None
    current: dict | None
    submitted: dict | None
    previous: dict | None
    ranges: uncertainty.RankRanges | None = None  # the period's rank ranges, if of its ranked set now
    bands: engine.BandSpec | None = None  # the band scheme, as the engine reads it
    edges: list[float] = field(default_factory=list)  # its category edges now (uncertainty.category_edges)

    @property
    def is_verified(self) -> bool:
        return self.collection is not None and self.collection["state"] in RANKED_STATES


def regency_card(reg: Regency, period: dict, periods: list[dict], scores, collections: dict) -> RegencyCard:
    def pick(basis, year):
        rows = scores[(scores["basis"] == basis) & (scores["year"] == year)]
        return rows.iloc[0].to_dict() if len(rows) else None

    instrument_id = period["instrument_id"]
    variables = selectors.instrument_variables(instrument_id)
    prev = selectors.previous_period(periods, period)
    bands = selectors.band_spec(instrument_id)
    ranked_set = selectors.period_scores(period, None, [])
    return RegencyCard(
        reg=reg,
        period=period,
        prev=prev,
        variables=variables,
        indicators=selectors.instrument_indicators(instrument_id),
        groups=selectors.instrument_groups(instrument_id),
        labels=selectors.band_labels(instrument_id),
        averages=selectors.period_averages(period, [c for c, _n in variables]),
        yearly=selectors.yearly_averages(None),
        history=scores[scores["basis"] == selectors.CURRENT].sort_values("year"),
        collection=collections.get(period["id"]),
        current=pick(selectors.CURRENT, period["year"]),
        submitted=pick(selectors.SUBMITTED, period["year"]),
        previous=pick(selectors.CURRENT, prev["year"]) if prev else None,
        ranges=uncertainty.rank_ranges(ranked_set, selectors.rank_intervals(period["id"])),
        bands=bands,
        edges=uncertainty.category_edges(bands, ranked_set["reported"]),
    )


def has_current_score(scores: pd.DataFrame, period: dict) -> bool:
    """Whether the kab/kota has a stored current score in the period (`scores`: selectors.regency_scores)."""
    return bool(((scores["basis"] == selectors.CURRENT) & (scores["year"] == period["year"])).any())


def regency_scored(
    reg: Regency, period: dict, periods: list[dict], scores, collections: dict, base: dict
) -> dict:
    """The card of a kab/kota with a current score in the period, but its PDF link (regency_report): the
    same for every user who may see the kab/kota (reports.page_cache keeps it)."""
    card = regency_card(reg, period, periods, scores, collections)
    # An earlier action plan compared with this period (plans.effect; its items are in the fingerprint).
    effect = plans_national.report_card_effect(reg, period["year"])
    return {**regency_head(card), **regency_results(card, base), "effect_card": effect}


def regency_head(card: RegencyCard) -> dict:
    """What the card shows whether or not the kab/kota has a score: its collection and its state."""
    state = card.collection["state"] if card.collection else None
    return {
        "variables": card.variables,
        "labels": card.labels,
        "collection": card.collection,
        "state": state,
        "state_label": STATE_LABELS.get(state, ""),
        "is_verified": card.is_verified,
        "current": card.current,
        "submitted": card.submitted,
        "previous_period": card.prev,
    }


def regency_collecting(card: RegencyCard) -> dict:
    """A collection without a stored score yet: its complete questionnaires against the quota, and the
    collection for its score card (reports.score_display: the provisional score while a draft)."""
    if card.collection is None:
        return {}
    period = card.period
    progress = selectors.quota_progress(period["id"], period["instrument_id"], regencies=[card.reg])
    return {
        "collected": {"complete": int(progress["complete"].sum()), "quota": progress.attrs["quota"]},
        "draft": selectors.collection_with_period(card.collection["id"]),
    }


def regency_report(user, reg: Regency, period: dict):
    """The report card PDF's link for this user: rendered for every kab/kota with a current score
    (reports.rendering.period_scopes)."""
    return downloads.report_status(user, period, RenderedReport.ScopeKind.REGENCY, reg.code)


def regency_results(card: RegencyCard, base: dict) -> dict:
    """The scored part of the card: rank, averages, changes, quota, gains and charts (not its PDF link,
    regency_report)."""
    current, averages, reg = card.current, card.averages, card.reg
    prov_avg = (
        averages.provinces.loc[reg.province.code]
        if reg.province.code in averages.provinces.index
        else pd.Series(dtype=float)
    )
    gains, per_group = _gains_and_groups(card)
    ci = current.get("ci") or {}
    return {
        "rank": averages.rank_of(current["overall"]) if card.is_verified and current["quota_met"] else None,
        **card_intervals(card),
        "province_average": as_float(prov_avg.get("overall")) if len(prov_avg) else None,
        "national_average": as_float(averages.national.get("overall")),
        "previous": card.previous,
        "changes": _changes(card),
        "quota": _quota_rows(card),
        "variable_rows": [
            (
                n,
                current["variables"].get(c),
                as_float(prov_avg.get(c)) if len(prov_avg) else None,
                as_float(averages.national.get(c)),
                uncertainty.interval(ci, "variables", c),
            )
            for c, n in card.variables
        ],
        "gains": gains.head(8).to_dict("records") if gains is not None else [],
        "computed_at": current["computed_at"],
        "charts": {
            "radar": charts.radar(_radar_frame(card, prov_avg)),
            "indicators": charts.indicator_bars(
                card.indicators.assign(
                    score=card.indicators["code"].map(current["indicators"]).astype("float64"),
                    variable=card.indicators["variable"].map(dict(card.variables)),
                )
            ),
            "trend": trend_chart(_regency_trend(card), base),
            "gains": charts.gains_bars(gains) if gains is not None else None,
            "groups": charts.group_heatmap(per_group) if per_group is not None else None,
        },
    }


def card_intervals(card: RegencyCard) -> dict:
    """The card's uncertainty: the index's 95 % interval on the reported scale, whether it holds two
    categories, and the national and province rank ranges (only from rank intervals of the ranked set now:
    else `ranges_current` is False and the card says they are being computed)."""
    ci, cid = card.current.get("ci") or {}, card.collection["id"] if card.collection else None
    reported = uncertainty.interval(ci, "reported")
    ranges = card.ranges or uncertainty.RankRanges(current=False, data={})
    return {
        "index_ci": reported,
        "index_ci_decimals": uncertainty.decimals_for(reported) if reported else 1,
        "near_edge": card.bands is not None and uncertainty.near_band_edge(reported, card.bands, card.edges),
        "rank_range": ranges.of(cid) if cid is not None else None,
        "province_rank_range": ranges.of(cid, "province") if cid is not None else None,
        "ranges_current": ranges.current,
    }


def _radar_frame(card: RegencyCard, prov_avg: pd.Series) -> pd.DataFrame:
    reg, current = card.reg, card.current
    own = pd.Series({"overall": current["overall"], **current["variables"]})
    return summaries.variable_table(
        {reg.name: own, reg.province.name: prov_avg, _("Nasional"): card.averages.national},
        card.variables,
        "x",
    ).iloc[1:]


def _regency_trend(card: RegencyCard) -> pd.DataFrame:
    reg = card.reg
    return pd.DataFrame(
        {
            reg.name: card.history.set_index("year")["overall"],
            reg.province.name: summaries.province_trend(card.yearly, reg.province.code),
            _("Nasional"): summaries.national_trend(card.yearly),
        }
    )


def _changes(card: RegencyCard) -> list[dict]:
    """The index and each variable now and in the previous period, with the difference."""
    current, previous = card.current, card.previous
    if previous is None:
        return []
    changes = [{"name": _("Indeks"), "now": current["overall"], "before": previous["overall"]}]
    for c, n in card.variables:
        changes.append(
            {"name": n, "now": current["variables"].get(c), "before": previous["variables"].get(c)}
        )
    for row in changes:
        row["delta"] = (
            row["now"] - row["before"] if row["now"] is not None and row["before"] is not None else None
        )
    return changes


def _quota_rows(card: RegencyCard) -> list[dict]:
    scored = card.current["groups"]
    return [
        {
            "name": name,
            "n": scored.get(gcode, {}).get("n", 0),
            "quota": scored.get(gcode, {}).get("quota", q),
            "met": scored.get(gcode, {}).get("met", False),
        }
        for gcode, name, q in card.groups
    ]


def _gains_and_groups(card: RegencyCard):
    """What moves this collection's score most, and the score from each respondent group alone: the
    engine's answer, cached per input fingerprint (scoring.gains; the Celery render fills it)."""
    period = card.period
    instrument = Instrument.objects.select_related("band_scheme").get(pk=period["instrument_id"])
    found = collection_gains(card.collection["id"], period["id"], instrument)
    if found is None:
        return None, None
    gains, per_group = found.gains, found.per_group
    by_id = card.indicators.set_index("indicator_id")
    gains = gains.assign(
        name=gains["indicator_id"].map(by_id["name"]),
        code=gains["indicator_id"].map(by_id["code"]),
        variable=gains["indicator_id"].map(by_id["variable"]),
    )
    group_names = {code: name for code, name, _q in card.groups}
    # Columns by variable code: six full names do not fit side by side in a half-width card.
    table = pd.DataFrame(
        {
            found.variable_codes.get(vid, str(vid)): per_group[vid].to_numpy()
            for vid in per_group.columns
            if vid not in ("group_id", "overall", "respondents")
        },
        index=[group_names.get(found.group_codes.get(g), str(g)) for g in per_group["group_id"]],
    )
    table = table[[c for c, _n in card.variables if c in table.columns]]
    table.insert(0, _("Indeks"), per_group["overall"].to_numpy())
    return gains, table
