"""The rendered report cache: Celery renders a period's PDFs and chart figures; views only serve them.

render_period(period_id) reads the period once (a fixed number of queries), builds every scope's
report context (national, each province with participants, each scored kab/kota) and renders only
those whose fingerprint changed. The fingerprint is a hash of what the report prints (scores, ranks,
averages, names, layout version), so it changes exactly when a new PDF would differ: a kab/kota's
card is re-rendered when its own score changes and also when its national rank moves. `inputs_at`
(the latest Score.computed_at of the scope) is shown next to the render time.

After scores change (scoring.signals.scores_stored), reports.scheduling.request_period_render asks for a
render (debounced, once per burst); reports.scheduling.render_all_now(period_id) is BNN pusat's "Render
ulang" (right after commit, no debounce). This module does not know the task that calls it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field

import pandas as pd
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from assessments.models import Collection, Period
from reports import pdf, report_data, score_changes, selectors, uncertainty
from reports.models import RenderedReport
from scoring import engine, inputs
from scoring.gains import collection_gains

log = logging.getLogger(__name__)

# Bump when templates/reports/pdf/* or reports/svg.py change what a PDF looks like: every report
# is then rendered again once.
# 2: value labels clear of the national line, no lone table rows; 3: charts drawn by the functions the
# pages use too (tooltips, the trend by lines_chart)
# 4: the report card's 95 % intervals, rank ranges and "mendekati batas kategori" (issue 17)
RENDER_VERSION = "4"

NATIONAL = RenderedReport.ScopeKind.NATIONAL
PROVINCE = RenderedReport.ScopeKind.PROVINCE
REGENCY = RenderedReport.ScopeKind.REGENCY

TEMPLATES = {NATIONAL: "national.html", PROVINCE: "province.html", REGENCY: "regency.html"}


@dataclass
class PeriodReportData:
    """Everything the period's reports print, read once."""

    period: Period
    info: pdf.PeriodInfo
    scores: report_data.PeriodScores
    ranking: pd.DataFrame
    previous: report_data.PeriodScores | None
    history: list[tuple[int, float | None]]
    indicators: list[tuple[str, str, str]]
    groups: list[tuple[str, str]]
    national_average: dict[str, float | None]
    province_names: dict[str, str]
    ranges: uncertainty.RankRanges = field(default_factory=lambda: uncertainty.RankRanges(False, {}))
    bands: engine.BandSpec | None = None
    edges: list[float] = field(default_factory=list)  # the categories' edges (uncertainty.category_edges)
    _instrument: object = None

    def instrument(self):
        """The scoring engine's instrument frames (scoring.inputs), loaded on first use."""
        if self._instrument is None:
            self._instrument = inputs.instrument_data(self.period.instrument)
        return self._instrument


def _mean(series: pd.Series) -> float | None:
    series = series.dropna()
    return float(series.mean()) if len(series) else None


def load_period(period: Period) -> PeriodReportData:
    scores = report_data.period_scores(period, details=True)
    previous = report_data.previous_scores(period)
    ranking = report_data.ranking_with_previous(scores, previous)
    labels = selectors.band_labels(period.instrument_id)
    bands = selectors.band_spec(period.instrument_id)
    info = pdf.PeriodInfo(
        year=period.year,
        name=period.name,
        target_count=period.target_count,
        is_synthetic=period.is_synthetic,
        variables=[pdf.Variable(code, name) for code, name in scores.variables],
        categories=labels,
    )
    national_average = {"overall": _mean(ranking["overall"]) if len(ranking) else None}
    for code in scores.variable_codes:
        national_average[code] = _mean(ranking[code]) if len(ranking) else None
    variable_names = dict(scores.variables)
    state_labels = {value: str(label) for value, label in Collection.State.choices}
    scores.frame["state_label"] = scores.frame["state"].map(lambda s: state_labels.get(s, s))
    return PeriodReportData(
        period=period,
        info=info,
        scores=scores,
        ranking=ranking,
        previous=previous,
        history=report_data.national_history(period.year),
        indicators=[
            (code, name, variable_names.get(variable, variable))
            for _id, code, name, variable in selectors.instrument_indicators(period.instrument_id).itertuples(
                index=False
            )
        ],
        groups=[(code, name) for code, name, _quota in selectors.instrument_groups(period.instrument_id)],
        national_average=national_average,
        province_names=dict(zip(scores.frame["province_code"], scores.frame["province"], strict=True)),
        ranges=uncertainty.rank_ranges(scores.frame, selectors.rank_intervals(period.pk)),
        bands=bands,
        edges=uncertainty.category_edges(bands, scores.frame["reported"]),
    )


def period_scopes(data: PeriodReportData) -> list[tuple[str, str]]:
    """National, each province with participants, each kab/kota with a current score."""
    frame = data.scores.frame
    provinces = sorted(set(frame["province_code"]))
    regencies = sorted(frame.loc[frame["current"].notna(), "code"])
    return [(NATIONAL, ""), *[(PROVINCE, p) for p in provinces], *[(REGENCY, r) for r in regencies]]


def inputs_at(data: PeriodReportData, scope_kind: str, key: str) -> datetime.datetime | None:
    frame = data.scores.frame
    if scope_kind == PROVINCE:
        frame = frame[frame["province_code"] == key]
    elif scope_kind == REGENCY:
        frame = frame[frame["code"] == key]
    values = [v for v in frame["computed_at"] if v is not None and not pd.isna(v)]
    return max(values) if values else None


def _levers(data: PeriodReportData, collection_id: int, limit: int = 5) -> list[tuple[str, float]]:
    """The indicators whose average rising one answer level adds most to the overall (scoring engine)."""
    found = collection_gains(collection_id, data.period.pk, data.period.instrument)
    if found is None:
        return []
    gains = found.gains
    names = {code: name for code, name, _ in data.indicators}
    out = []
    for rec in gains[gains["gain"] > 0].head(limit).to_dict("records"):
        code = found.indicator_codes.get(rec["indicator_id"])
        if code in names:
            out.append((names[code], float(rec["gain"])))
    return out


def _score_changes(rec: dict) -> list[score_changes.Reason]:
    """Why the kab/kota's current index differs from its submitted one (reports.score_changes, cached per
    input fingerprints), in Bahasa Indonesia like the rest of the PDF."""
    if pd.isna(rec["submitted"]) or abs(rec["current"] - rec["submitted"]) < score_changes.POINT:
        return []
    with translation.override("id"):
        found = score_changes.changes_for_collection_id(int(rec["collection_id"]))
    return found.reasons if found else []


def report_context(
    data: PeriodReportData, scope_kind: str, key: str, *, today: datetime.date, with_levers: bool = True
) -> dict:
    frame = data.scores.frame
    if scope_kind == NATIONAL:
        return pdf.national_context(
            data.info, frame, data.ranking, data.history, today=today, intervals=_national_intervals(data)
        )
    if scope_kind == PROVINCE:
        return pdf.province_context(
            data.info,
            {"code": key, "name": data.province_names.get(key, key)},
            frame[frame["province_code"] == key],
            data.ranking,
            national_frame_average=data.national_average,
            today=today,
        )
    row = frame[frame["code"] == key]
    if row.empty:
        raise KeyError(key)
    rec = row.iloc[0].to_dict()
    details = data.scores.details.get(key, {})
    codes = data.scores.variable_codes
    score = {
        "overall": rec["current"],
        "reported": rec["reported"],
        "category": rec["category"],
        "variables": {c: rec[c] for c in codes},
        "indicators": details.get("indicators", {}),
        "groups": details.get("groups", {}),
        "quota_met": bool(rec["quota_met"]),
        "respondents": rec["respondents"],
        "state": rec["state"],
        "state_label": rec["state_label"],
        "submitted_overall": None if pd.isna(rec["submitted"]) else rec["submitted"],
        "changes": _score_changes(rec),
        # the answers' hash: levers (below) depend on nothing else, so the fingerprint can skip them
        "input_hash": details.get("input_hash", ""),
    }
    in_province = data.ranking[data.ranking["province"] == rec["province"]]
    province_average = {c: _mean(in_province[c]) for c in codes}
    rank = None
    ranked = data.ranking[data.ranking["code"] == key]
    if len(ranked):
        r = ranked.iloc[0]
        province_ranks = in_province["overall"].round(6).rank(ascending=False, method="min")
        rank = {
            "rank": int(r["rank"]),
            "n": int(r["n"]),
            "province_rank": int(province_ranks[ranked.index[0]]),
            "province_n": len(in_province),
            "movement": None if pd.isna(r["movement"]) else int(r["movement"]),
        }
    previous = None
    if data.previous is not None:
        prev = data.previous.frame[data.previous.frame["code"] == key]
        if len(prev) and not pd.isna(prev.iloc[0]["current"]):
            previous = {
                "year": data.previous.period.year,
                "overall": float(prev.iloc[0]["current"]),
                "category": prev.iloc[0]["category"],
            }
    levers = _levers(data, int(rec["collection_id"])) if with_levers else []
    return pdf.regency_context(
        data.info,
        {"code": key, "name": rec["name"], "province": rec["province"]},
        score,
        indicators=data.indicators,
        groups=data.groups,
        province_average=province_average,
        national_average=data.national_average,
        rank=rank,
        previous=previous,
        levers=levers,
        intervals=_intervals(data, rec),
        today=today,
    )


def _national_intervals(data: PeriodReportData) -> dict[str, dict]:
    """{code: {"index": (lo, hi) 0-100, "rank": (lo, hi) or None}} of the ranked kab/kota."""
    frame = data.scores.frame
    ranked = frame[frame["code"].isin(data.ranking["code"])]
    return {
        code: {"index": uncertainty.interval(ci, "overall"), "rank": data.ranges.of(cid)}
        for code, ci, cid in zip(ranked["code"], ranked["ci"], ranked["collection_id"], strict=True)
    }


def _intervals(data: PeriodReportData, rec: dict) -> dict:
    """What the report card prints of its uncertainty (pdf.regency_context): the index's 95 % interval on
    the reported scale and whether it holds two categories, each variable's, the rank ranges (None unless
    the period's rank intervals are of its ranked set now)."""
    ci, cid = rec["ci"], rec["collection_id"]
    reported = uncertainty.interval(ci, "reported")
    return {
        "index": reported,
        "decimals": uncertainty.decimals_for(reported) if reported else 1,
        "near_edge": data.bands is not None and uncertainty.near_band_edge(reported, data.bands, data.edges),
        "variables": uncertainty.variable_intervals(ci, data.scores.variable_codes),
        "rank": data.ranges.of(cid),
        "province_rank": data.ranges.of(cid, "province"),
        "ranges_current": data.ranges.current,
    }


def fingerprint(context: dict) -> str:
    """Hash of what the report prints, leaving out the render date and signature date."""
    printable = {k: v for k, v in context.items() if k not in ("today", "signature")}

    def default(value):
        if hasattr(value, "__dataclass_fields__"):
            return asdict(value)
        return str(value)

    blob = json.dumps(printable, default=default, sort_keys=True)
    return hashlib.sha256(f"{RENDER_VERSION}|{blob}".encode()).hexdigest()


def _figures(context: dict) -> dict:
    """The report's charts (SVG strings) for pages that want to show them without recomputing."""
    return {k.removeprefix("chart_"): str(v) for k, v in context.items() if k.startswith("chart_")}


def _file_name(period: Period, scope_kind: str, key: str, digest: str) -> str:
    scope = {NATIONAL: "nasional", PROVINCE: f"provinsi-{key}", REGENCY: f"kabkota-{key}"}[scope_kind]
    return f"ikotan-{period.year}-{scope}-{digest[:10]}.pdf"


def store(period: Period, scope_kind: str, key: str, kind: str, **values) -> RenderedReport:
    """Create or update the stored report of this period, scope and kind (reports.plan_document too)."""
    lookup = {"period": period, "scope_kind": scope_kind, "scope_key": key, "kind": kind}
    try:
        with transaction.atomic():
            obj, _ = RenderedReport.objects.update_or_create(**lookup, defaults=values)
    except IntegrityError:  # a concurrent render created it first: ours is as good, overwrite
        RenderedReport.objects.filter(**lookup).update(**values)
        obj = RenderedReport.objects.get(**lookup)
    return obj


def _note_inputs(stored: RenderedReport, stamp: datetime.datetime | None) -> None:
    """An unchanged report printed newer scores than it says (a score recomputed to the same values):
    record them, so that the page stops calling it outdated (reports.report_links)."""
    value = stamp.isoformat() if stamp else None
    if (stored.data or {}).get("inputs_at") != value:
        RenderedReport.objects.filter(pk=stored.pk).update(data={**(stored.data or {}), "inputs_at": value})


def render_scope(
    data: PeriodReportData,
    scope_kind: str,
    key: str,
    *,
    force: bool = False,
    today: datetime.date | None = None,
) -> bool:
    """Render one scope's PDF and figures unless the stored ones have the same fingerprint.
    Returns whether something was rendered."""
    today = today or timezone.localdate()
    # Levers need the answers and an engine pass: left out of the fingerprint (the answers' hash is in)
    context = report_context(data, scope_kind, key, today=today, with_levers=False)
    digest = fingerprint(context)
    period = data.period
    existing = {
        r.kind: r for r in RenderedReport.objects.filter(period=period, scope_kind=scope_kind, scope_key=key)
    }
    current_pdf = existing.get(RenderedReport.Kind.PDF)
    if (
        not force
        and current_pdf is not None
        and current_pdf.fingerprint == digest
        and current_pdf.file
        and default_storage.exists(current_pdf.file.name)
    ):
        _note_inputs(current_pdf, inputs_at(data, scope_kind, key))
        return False
    now = timezone.now()
    if scope_kind == REGENCY:
        context = report_context(data, scope_kind, key, today=today, with_levers=True)
    content = pdf.render_pdf(TEMPLATES[scope_kind], context)
    name = default_storage.save(
        f"reports/{period.year}/{_file_name(period, scope_kind, key, digest)}", ContentFile(content)
    )
    old_name = current_pdf.file.name if current_pdf is not None and current_pdf.file else None
    stamp = inputs_at(data, scope_kind, key)
    meta = {"inputs_at": stamp.isoformat() if stamp else None}
    pdf_meta = {**meta, "size": len(content)}  # shown next to the link (reports.report_links)
    store(
        period,
        scope_kind,
        key,
        RenderedReport.Kind.PDF,
        file=name,
        data=pdf_meta,
        fingerprint=digest,
        rendered_at=now,
    )
    store(
        period,
        scope_kind,
        key,
        RenderedReport.Kind.FIGURES,
        data={**meta, "figures": _figures(context)},
        fingerprint=digest,
        rendered_at=now,
    )
    if old_name and old_name != name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    return True


def render_period(
    period_id: int, *, force: bool = False, scopes: list[tuple[str, str]] | None = None
) -> dict[str, int]:
    """Render what changed in a period (all scopes, or the given ones). Safe to run twice or
    concurrently: an unchanged scope is skipped, a concurrent one overwrites with the same content."""
    period = Period.objects.select_related("instrument").get(pk=period_id)
    data = load_period(period)
    known = set(period_scopes(data))
    wanted = [s for s in (scopes or period_scopes(data)) if s in known]
    counts = {"rendered": 0, "unchanged": 0, "failed": 0}
    for scope_kind, key in wanted:
        try:
            changed = render_scope(data, scope_kind, key, force=force)
        except Exception:  # one broken report must not stop the others
            log.exception("Rendering %s %s %s failed", period.year, scope_kind, key)
            counts["failed"] += 1
            continue
        counts["rendered" if changed else "unchanged"] += 1
    return counts


def cached(
    period: Period | int, scope_kind: str, key: str, kind: str = RenderedReport.Kind.PDF
) -> RenderedReport | None:
    """The stored report (for a Period or its id), or None: never renders."""
    period_id = period if isinstance(period, int) else period.pk
    return RenderedReport.objects.filter(
        period_id=period_id, scope_kind=scope_kind, scope_key=key, kind=kind
    ).first()
