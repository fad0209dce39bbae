"""PDF reports (national, province, kab/kota report card): context from frames, HTML, WeasyPrint.

Everything here is pure apart from WeasyPrint itself: the context builders take the period's scores
frame and ranking (reports.selectors / reports.ranking shapes) and plain dicts, so they are tested
without the database. The charts are inline SVG from reports.svg. WeasyPrint needs Pango (>= 1.44)
installed on the machine (Debian: libpango-1.0-0 libpangoft2-1.0-0) and a few fonts (fonts-dejavu).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import mark_safe

from reports import maps, svg
from reports.summaries import as_float, map_points, map_provinces, province_averages, target_labels

# Who signs each report; BNN sets the names through settings.KOTAN_REPORT_SIGNATORIES
# ({"national": {"place": ..., "title": ..., "name": ..., "nip": ...}, "province": {...}, ...}).
# An empty name or NIP prints a dotted line to be filled in by hand.
DEFAULT_SIGNATORIES = {
    "national": {"place": "Jakarta", "title": "Deputi Bidang Pemberdayaan Masyarakat BNN"},
    "province": {"place": "", "title": "Kepala BNN Provinsi {province}"},
    "regency": {"place": "", "title": "Kepala BNN {regency}"},
}


@dataclass
class Signature:
    place: str
    date: str
    title: str
    name: str = ""
    nip: str = ""


@dataclass
class Variable:
    code: str
    name: str


@dataclass
class PeriodInfo:
    year: int
    name: str
    target_count: int = 0
    is_synthetic: bool = False
    variables: list[Variable] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # lowest band first


def signature(scope_kind: str, when: datetime.date, **names: str) -> Signature:
    configured = getattr(settings, "KOTAN_REPORT_SIGNATORIES", {}).get(scope_kind, {})
    spec = {**DEFAULT_SIGNATORIES[scope_kind], **configured}
    return Signature(
        place=spec.get("place", ""),
        date=indonesian_date(when),
        title=spec.get("title", "").format(**names),
        name=spec.get("name", ""),
        nip=spec.get("nip", ""),
    )


def indonesian_date(when: datetime.date) -> str:
    with translation.override("id"):
        return formats.date_format(when, "j F Y")


def _mean(series: pd.Series) -> float | None:
    series = pd.to_numeric(series, errors="coerce").dropna()
    return float(series.mean()) if len(series) else None


def category_counts(categories: Sequence[str], labels: Sequence[str]) -> list[tuple[str, int]]:
    """(label, count) for every band, highest band first; unknown labels are ignored."""
    counts = pd.Series(list(categories), dtype="object").value_counts()
    return [(label, int(counts.get(label, 0))) for label in reversed(labels)]


def target_reached(categories: Sequence[str], labels: Sequence[str]) -> int:
    """How many kab/kota are in BNN's target category or above (reports.summaries.target_labels)."""
    wanted = set(target_labels(list(labels)))
    return sum(1 for c in categories if c in wanted)


def _variable_means(frame: pd.DataFrame, variables: Sequence[Variable]) -> list[tuple[str, float | None]]:
    return [(v.name, _mean(frame[v.code]) if v.code in frame else None) for v in variables]


def _ranking_rows(
    ranking: pd.DataFrame, variables: Sequence[Variable], intervals: dict[str, dict] | None = None
) -> list[dict]:
    """The national table's rows; `intervals`: {code: {"index": (lo, hi) 0-100, "rank": (lo, hi)}}."""
    rows, intervals = [], intervals or {}
    for rec in ranking.to_dict("records"):
        found = intervals.get(rec["code"]) or {}
        rows.append(
            {
                "rank": rec.get("rank"),
                "n": rec.get("n"),
                "code": rec["code"],
                "name": rec["name"],
                "province": rec.get("province", ""),
                "overall": as_float(rec.get("overall")),
                "category": rec.get("category", ""),
                "variables": [as_float(rec.get(v.code)) for v in variables],
                "movement": None if rec.get("movement") is pd.NA else rec.get("movement"),
                "ci": found.get("index"),
                "rank_range": found.get("rank"),
            }
        )
    return rows


def _verified(frame: pd.DataFrame) -> pd.DataFrame:
    """The verified or final rows of a period_scores frame (their current score is the verified one)."""
    return frame[frame["state"].isin(["verified", "final"])] if len(frame) else frame


def national_context(
    period: PeriodInfo,
    frame: pd.DataFrame,
    ranking: pd.DataFrame,
    history: Sequence[tuple[int, float | None]],
    *,
    today: datetime.date,
    intervals: dict[str, dict] | None = None,
) -> dict:
    """`frame`: every participant of the period (period_scores); `ranking`: national_ranking(frame);
    `history`: (year, national average) for this and earlier periods, oldest first; `intervals`: each
    ranked kab/kota's 95 % intervals by code (_ranking_rows)."""
    labels = period.categories
    colours = svg.band_colours(labels)
    verified = _verified(frame)
    national_avg = _mean(ranking["overall"]) if len(ranking) else None
    by_province = (
        ranking.groupby("province")["overall"].mean().sort_values(ascending=False)
        if len(ranking)
        else pd.Series(dtype="float64")
    )
    provinces = [(str(name), float(avg)) for name, avg in by_province.items()]
    return {
        "period": period,
        "summary": {
            "participants": len(frame),
            "submitted": int(frame["submitted"].notna().sum()) if len(frame) else 0,
            "verified": len(verified),
            "ranked": len(ranking),
            "average": national_avg,
            "target_count": period.target_count,
            "target_reached": target_reached(list(ranking["category"]) if len(ranking) else [], labels),
        },
        "chart_trend": mark_safe(  # noqa: S308 - built by reports.svg, every text escaped
            svg.line_chart([(str(y), v) for y, v in history], title="Rata-rata nasional per tahun")
        ),
        "chart_variables": mark_safe(  # noqa: S308
            svg.hbar_chart(
                _variable_means(ranking, period.variables), title="Rata-rata nasional per variabel"
            )
        ),
        "chart_categories": mark_safe(  # noqa: S308
            svg.stacked_bar(
                category_counts(list(ranking["category"]) if len(ranking) else [], labels),
                colours,
                title="Sebaran kategori",
            )
        ),
        "chart_provinces": mark_safe(  # noqa: S308
            svg.hbar_chart(
                provinces,
                bar_height=11,
                reference=("Nasional", national_avg) if national_avg is not None else None,
                label_width=200,
                title="Rata-rata provinsi",
            )
        ),
        "chart_map": mark_safe(  # noqa: S308 - reports.maps escapes every text too
            maps.national_map_svg(
                map_provinces(province_averages(frame, [])),
                map_points(verified, ranking),
                labels,
                value_label="Rata-rata indeks",
                width=720,
                title="Peta hasil kab/kota",
            )
        ),
        "provinces": provinces,
        "rows": _ranking_rows(ranking, period.variables, intervals),
        "colours": colours,
        "signature": signature("national", today),
        "today": indonesian_date(today),
    }


def province_context(
    period: PeriodInfo,
    province: dict,
    frame: pd.DataFrame,
    ranking: pd.DataFrame,
    *,
    national_frame_average: dict[str, float | None],
    today: datetime.date,
) -> dict:
    """`province`: {"code", "name"}; `frame`: the province's participants (period_scores rows);
    `ranking`: the national ranking (all provinces, for national ranks and averages);
    `national_frame_average`: {"overall": .., <variable code>: ..} national averages."""
    labels = period.categories
    colours = svg.band_colours(labels)
    ranks = ranking.set_index("code") if len(ranking) else pd.DataFrame()
    in_province = ranking[ranking["province"] == province["name"]] if len(ranking) else ranking
    prov_avg = _mean(in_province["overall"]) if len(in_province) else None
    national_avg = national_frame_average.get("overall")
    rows = [
        _province_row(rec, ranks, period, colours) for rec in frame.sort_values("code").to_dict("records")
    ]
    verified_categories = [r["category"] for r in rows if r["verified"] is not None]
    return {
        "period": period,
        "province": province,
        "summary": {
            "participants": len(rows),
            "submitted": sum(1 for r in rows if r["submitted"] is not None),
            "verified": sum(1 for r in rows if r["verified"] is not None),
            "average": prov_avg,
            "national_average": national_avg,
            "target_reached": target_reached(verified_categories, labels),
        },
        "chart_regencies": _regencies_chart(rows, colours, national_avg),
        "chart_categories": mark_safe(  # noqa: S308
            svg.stacked_bar(category_counts(verified_categories, labels), colours, title="Sebaran kategori")
        ),
        "chart_radar": _province_radar(period, province, in_province, national_frame_average),
        "chart_map": mark_safe(  # noqa: S308 - reports.maps escapes every text too
            maps.province_map_svg(
                province["code"],
                map_points(_verified(frame), ranking),
                labels,
                width=640,
                title=f"Peta kab/kota {province['name']}",
            )
        ),
        "rows": rows,
        "colours": colours,
        "signature": signature("province", today, province=province["name"]),
        "today": indonesian_date(today),
    }


def _regencies_chart(rows: list[dict], colours: dict, national_avg: float | None) -> str:
    """The verified kab/kota of the province PDF as bars, highest first, against the national average."""
    ranked_rows = sorted((r for r in rows if r["verified"] is not None), key=lambda r: -r["verified"])
    bars = [(r["name"], r["verified"]) for r in ranked_rows]
    return mark_safe(  # noqa: S308
        svg.hbar_chart(
            bars,
            colours=[colours.get(r["category"], svg.NEUTRAL) for r in ranked_rows],
            bar_height=16 if len(bars) <= 15 else 10,
            reference=("Nasional", national_avg) if national_avg is not None else None,
            title="Skor terverifikasi per kab/kota",
        )
    )


def _province_radar(period: PeriodInfo, province: dict, in_province: pd.DataFrame, national: dict) -> str:
    return mark_safe(  # noqa: S308
        svg.radar_chart(
            [v.name for v in period.variables],
            [
                (
                    f"Provinsi {province['name']}",
                    [_mean(in_province[v.code]) if len(in_province) else None for v in period.variables],
                ),
                ("Nasional", [national.get(v.code) for v in period.variables]),
            ],
            title="Variabel: provinsi dan nasional",
        )
    )


def _province_row(rec: dict, ranks: pd.DataFrame, period: PeriodInfo, colours: dict) -> dict:
    """One kab/kota of the province PDF's table: state, scores, national rank, coloured variables."""
    labels = period.categories
    code = rec["code"]
    ranked = code in ranks.index
    return {
        "code": code,
        "name": rec["name"],
        "kind": rec.get("kind", ""),
        "state": rec.get("state", ""),
        "state_label": rec.get("state_label", rec.get("state", "")),
        "respondents": rec.get("respondents"),
        "quota_met": bool(rec.get("quota_met")),
        "submitted": as_float(rec.get("submitted")),
        "verified": as_float(rec.get("current")) if rec.get("state") in ("verified", "final") else None,
        "category": rec.get("category") or "",
        "rank": ranks.loc[code, "rank"] if ranked else None,
        "n": ranks.loc[code, "n"] if ranked else None,
        "variables": [
            (as_float(rec.get(v.code)), colours.get(_band_of(as_float(rec.get(v.code)), labels, rec), ""))
            for v in period.variables
        ],
    }


def _band_of(value: float | None, labels: Sequence[str], rec: dict) -> str:
    """Band label of a variable value for the heat-map colour, on the 0-100 five-band reading when the
    scheme has five fixed bands of 20 points; else no colour (relative schemes have no fixed edges)."""
    if value is None or len(labels) != 5:
        return ""
    return labels[min(int(max(value, 0) // 20.0001), 4)]


def _variable_rows(
    period: PeriodInfo, variables: dict, province_average: dict, national_average: dict, intervals: dict
) -> list[tuple]:
    """(name, own, province average, national average, own 95 % interval or None) per variable."""
    found = intervals.get("variables") or {}
    return [
        (
            v.name,
            as_float(variables.get(v.code)),
            province_average.get(v.code),
            national_average.get(v.code),
            found.get(v.code),
        )
        for v in period.variables
    ]


def regency_context(
    period: PeriodInfo,
    regency: dict,
    score: dict,
    *,
    indicators: Sequence[tuple[str, str, str]],
    groups: Sequence[tuple[str, str]],
    province_average: dict[str, float | None],
    national_average: dict[str, float | None],
    rank: dict | None,
    previous: dict | None,
    levers: Sequence[tuple[str, float]] = (),
    intervals: dict | None = None,
    today: datetime.date,
) -> dict:
    """`regency`: {"code", "name", "province"}; `score`: the current Score as a dict (overall, reported,
    category, variables, indicators, groups, quota_met, respondents, state, submitted_overall);
    `indicators`: (code, name, variable name) in instrument order; `groups`: (code, name);
    `rank`: {"rank", "n", "province_rank", "province_n", "movement"} or None when not ranked;
    `previous`: {"year", "overall", "category"} of last period or None; `levers`: (indicator name,
    points gained) from the scoring engine, biggest first; `intervals`: {"index": (lo, hi) on the reported
    scale, "decimals", "near_edge", "variables": {code: (lo, hi)}, "rank", "province_rank": (lo, hi) or None,
    "ranges_current"} (reports.rendering), or None."""
    intervals = intervals or {}
    labels = period.categories
    colours = svg.band_colours(labels)
    variables = score.get("variables") or {}
    indicator_scores = score.get("indicators") or {}
    bars = sorted(
        ((name, indicator_scores.get(code)) for code, name, _ in indicators if code in indicator_scores),
        key=lambda x: x[1],
    )
    group_counts = score.get("groups") or {}
    group_rows = [
        {
            "name": name,
            "n": (group_counts.get(code) or {}).get("n", 0),
            "quota": (group_counts.get(code) or {}).get("quota"),
            "met": (group_counts.get(code) or {}).get("met", False),
        }
        for code, name in groups
    ]
    overall = as_float(score.get("overall"))
    change = None
    if previous and overall is not None and as_float(previous.get("overall")) is not None:
        change = overall - float(previous["overall"])
    return {
        "period": period,
        "regency": regency,
        "score": score,
        "overall": overall,
        # a scheme on another scale (e.g. 1-4) also shows the reported value
        "reported_differs": overall is not None
        and as_float(score.get("reported")) is not None
        and abs(float(score["reported"]) - overall) > 0.01,
        "category_colour": colours.get(score.get("category", ""), svg.NEUTRAL),
        "variables": _variable_rows(period, variables, province_average, national_average, intervals),
        "intervals": intervals,
        "rank": rank,
        "previous": previous,
        "change": change,
        "groups": group_rows,
        "levers": list(levers),
        "chart_radar": mark_safe(  # noqa: S308
            svg.radar_chart(
                [v.name for v in period.variables],
                [
                    (regency["name"], [as_float(variables.get(v.code)) for v in period.variables]),
                    (
                        f"Rata-rata {regency['province']}",
                        [province_average.get(v.code) for v in period.variables],
                    ),
                    ("Rata-rata nasional", [national_average.get(v.code) for v in period.variables]),
                ],
                title="Variabel dibanding provinsi dan nasional",
            )
        ),
        "chart_indicators": mark_safe(  # noqa: S308
            svg.hbar_chart(
                bars, bar_height=12, label_width=350, max_label=62, title="Indikator, terlemah di atas"
            )
        ),
        "signature": signature("regency", today, regency=regency["name"]),
        "today": indonesian_date(today),
    }


def report_html(template: str, context: dict) -> str:
    """HTML from templates/reports/pdf/<template> in Bahasa Indonesia."""
    with translation.override("id"):
        return render_to_string(f"reports/pdf/{template}", context)


def layout(html: str):
    """WeasyPrint's laid-out document (its pages and boxes): where the pages break, before any PDF."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, only workers need it

    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def render_pdf(template: str, context: dict) -> bytes:
    """HTML from templates/reports/pdf/<template> in Bahasa Indonesia, then WeasyPrint."""
    return layout(report_html(template, context)).write_pdf()
