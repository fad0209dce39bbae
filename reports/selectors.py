"""Reads for the dashboards: stored scores as DataFrames, one query each (.values(), no model instances).

Scope is never decided here: functions that return rows per kab/kota take a `regencies` queryset,
which callers get from kotan.access.visible_regencies(user). Functions without it return aggregates
only (averages and counts over a period's verified scores, no kab/kota named), which every role may
see next to its own results.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
import pandas as pd
from django.db.models import (
    Avg,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from assessments.models import Collection, Period, Questionnaire
from assessments.periods import newest_opened
from instruments.models import Band, Indicator, Instrument, RespondentGroup, Variable
from regions.models import Regency
from reports.models import RenderedReport
from reports.ranking import RANKED_STATES
from scoring import engine, inputs
from scoring.models import RankIntervals, Score

CURRENT = Score.Basis.CURRENT
SUBMITTED = Score.Basis.SUBMITTED


# --- the instrument's labels ----------------------------------------------------------------------------


def instrument_variables(instrument_id: int) -> list[tuple[str, str]]:
    """(code, name) of the instrument's variables, in order."""
    return list(
        Variable.objects.filter(instrument_id=instrument_id)
        .order_by("order", "id")
        .values_list("code", "name")
    )


def instrument_indicators(instrument_id: int) -> pd.DataFrame:
    """code, name, variable (code) of the instrument's indicators, in order."""
    rows = (
        Indicator.objects.filter(variable__instrument_id=instrument_id)
        .order_by("variable__order", "order", "id")
        .values_list("id", "code", "name", "variable__code")
    )
    return pd.DataFrame(list(rows), columns=["indicator_id", "code", "name", "variable"])


def instrument_groups(instrument_id: int) -> list[tuple[str, str, int]]:
    """(code, name, min_quota) of the instrument's respondent groups, in order."""
    return list(
        RespondentGroup.objects.filter(instrument_id=instrument_id)
        .order_by("order", "id")
        .values_list("code", "name", "min_quota")
    )


def band_labels(instrument_id: int) -> list[str]:
    """The category labels of the instrument's band scheme, lowest first."""
    return list(
        Band.objects.filter(scheme__instruments__pk=instrument_id)
        .order_by("order")
        .values_list("label", flat=True)
    )


def band_spec(instrument_id: int) -> engine.BandSpec:
    """The instrument's band scheme as the engine reads it (scoring.inputs.band_spec). Two queries."""
    instrument = Instrument.objects.select_related("band_scheme").get(pk=instrument_id)
    return inputs.band_spec(instrument)


def rank_intervals(period_id: int) -> tuple[str, dict] | None:
    """The period's stored rank intervals as (fingerprint, data), or None (RankIntervals). One query."""
    row = RankIntervals.objects.filter(period_id=period_id).values_list("fingerprint", "data").first()
    return (row[0], row[1]) if row else None


# --- periods --------------------------------------------------------------------------------------------


def periods_for_reports() -> list[dict]:
    """Every period, newest first, with whether it has verified scores (one query)."""
    verified = Score.objects.filter(
        collection__period=OuterRef("pk"),
        instrument_id=OuterRef("instrument_id"),
        basis=CURRENT,
        collection__state__in=RANKED_STATES,
    )
    return list(
        Period.objects.annotate(has_results=Exists(verified))
        .order_by("-year")
        .values(
            "id",
            "year",
            "name",
            "is_synthetic",
            "instrument_id",
            "target_count",
            "collection_opens",
            "collection_deadline",
            "verification_deadline",
            "has_results",
        )
    )


def is_published(period: dict, today: datetime.date) -> bool:
    """A period's results are published once its verification deadline has passed and it has verified
    results; until then its averages and ranking are provisional (sementara)."""
    return bool(period["has_results"]) and period["verification_deadline"] < today


@dataclass(frozen=True)
class ReportPeriods:
    """Which period a report opens on (`default`) and where its "last published year" link goes."""

    current: dict | None  # the newest period whose collection has opened (running, being verified or done)
    published: dict | None  # the newest period whose results are published (is_published)
    default: dict | None  # current, else the newest period (only future ones exist), else None


def report_periods(periods: list[dict], today: datetime.date | None = None) -> ReportPeriods:
    """THE rule for every dashboard and report card (assessments.periods): open on the current period,
    the newest one whose collection has opened by today (whether or not it has results yet, synthetic
    or not), with the last published year one click away. `periods` newest first, as
    periods_for_reports gives them."""
    today = today or timezone.localdate()
    current = newest_opened(periods, today, opens=itemgetter("collection_opens"))
    published = next((p for p in periods if is_published(p, today)), None)
    return ReportPeriods(current=current, published=published, default=current or next(iter(periods), None))


def previous_period(periods: list[dict], period: dict) -> dict | None:
    earlier = [p for p in periods if p["year"] < period["year"]]
    return max(earlier, key=lambda p: p["year"]) if earlier else None


# --- scores per kab/kota ----------------------------------------------------------------------------------

# (column, field) of period_scores: the collection and its kab/kota, its current score (`cur`, the
# verified one once verified/final) and its submitted score (`sub`).
_PERIOD_FIELDS = [
    ("collection_id", "id"),
    ("regency_id", "regency_id"),
    ("code", "regency__code"),
    ("name", "regency__name"),
    ("province_code", "regency__province__code"),
    ("province", "regency__province__name"),
    ("kind", "regency__kind"),
    ("state", "state"),
    ("current", "cur__overall"),
    ("submitted", "sub__overall"),
    ("reported", "cur__reported"),
    ("category", "cur__category"),
    ("quota_met", "cur__quota_met"),
    ("respondents", "cur__respondents"),
    ("computed_at", "cur__computed_at"),
    ("latitude", "regency__latitude"),
    ("longitude", "regency__longitude"),
    ("submitted_reported", "sub__reported"),
    ("input_hash", "cur__input_hash"),
    ("ci", "cur__ci"),
]
PERIOD_COLUMNS = [column for column, _field in _PERIOD_FIELDS]
# details=True: what the current score holds per indicator and respondent group
DETAIL_COLUMNS = ["indicators", "groups"]


def _expand(frame: pd.DataFrame, column: str, codes: list[str]) -> pd.DataFrame:
    """{code: value} dicts of `column` as one float column per code (NaN where missing)."""
    dicts = frame[column].tolist() if column in frame.columns else []
    values = {c: [(d or {}).get(c, np.nan) for d in dicts] for c in codes}
    expanded = pd.DataFrame(values, index=frame.index, columns=codes, dtype="float64")
    return pd.concat([frame.drop(columns=[column], errors="ignore"), expanded], axis=1)


def period_scores(
    period, regencies: QuerySet[Regency] | None, variables: list[str], *, details: bool = False
) -> pd.DataFrame:
    """One row per collection of the period in `regencies` (None: every kab/kota of the period, for
    national ranks cut to the user's scope afterwards, or for Celery's reports), by kab/kota code: the
    kab/kota, its state, the current (verified once verified/final) and submitted overall scores,
    reported score, category, quota, its input hash and intervals (Score.ci, a dict or None) and one
    column per variable code; with `details` also DETAIL_COLUMNS. Collections without a stored score have
    NaN scores. One query."""
    instrument_id = period["instrument_id"] if isinstance(period, dict) else period.instrument_id
    period_id = period["id"] if isinstance(period, dict) else period.pk
    fields = list(_PERIOD_FIELDS)
    if variables:  # decoding the JSON of 514 rows is skipped when only overall scores are wanted
        fields.append(("variables", "cur__variables"))
    if details:
        fields += [(column, f"cur__{column}") for column in DETAIL_COLUMNS]
    collections = Collection.objects.filter(period_id=period_id)
    if regencies is not None:
        collections = collections.filter(regency__in=regencies)
    rows = (
        collections.annotate(
            cur=FilteredRelation(
                "scores", condition=Q(scores__basis=CURRENT, scores__instrument_id=instrument_id)
            ),
            sub=FilteredRelation(
                "scores", condition=Q(scores__basis=SUBMITTED, scores__instrument_id=instrument_id)
            ),
        )
        .order_by("regency__code")
        .values_list(*[f for _column, f in fields])
    )
    frame = pd.DataFrame(list(rows), columns=[column for column, _f in fields])
    frame = frame.astype(
        {"current": "float64", "submitted": "float64", "reported": "float64", "submitted_reported": "float64"}
    )
    frame["category"] = frame["category"].fillna("")
    frame["quota_met"] = frame["quota_met"].fillna(False).astype(bool)
    frame["respondents"] = frame["respondents"].fillna(0).astype(int)
    frame = _expand(frame, "variables", variables)
    frame.attrs["variables"] = list(variables)
    return frame


def quota_progress(
    period_id: int, instrument_id: int, regencies: QuerySet[Regency] | list[Regency]
) -> pd.DataFrame:
    """collection_id, complete, percent (0-100, each group capped at its quota), met: from the complete
    questionnaires now (two queries: groups, counts), whether or not a score is stored; attrs["quota"]:
    the groups' quotas added up (what `complete` is out of)."""
    groups = dict(RespondentGroup.objects.filter(instrument_id=instrument_id).values_list("id", "min_quota"))
    counts = pd.DataFrame(
        list(
            Questionnaire.objects.filter(
                collection__period_id=period_id,
                collection__regency__in=regencies,
                state=Questionnaire.State.COMPLETE,
            )
            .values("collection_id", "group_id")
            .annotate(n=Count("id"))
            .values_list("collection_id", "group_id", "n")
        ),
        columns=["collection_id", "group_id", "n"],
    )
    total = sum(groups.values())
    if counts.empty:
        empty = pd.DataFrame(columns=["collection_id", "complete", "percent", "met"])
        empty.attrs["quota"] = total
        return empty
    counts["quota"] = counts["group_id"].map(groups).fillna(0)
    counts["capped"] = counts[["n", "quota"]].min(axis=1)
    counts["group_met"] = counts["n"] >= counts["quota"]
    agg = counts.groupby("collection_id").agg(
        complete=("n", "sum"), capped=("capped", "sum"), groups_met=("group_met", "sum")
    )
    agg["percent"] = (100 * agg["capped"] / total).round().astype(int) if total else 100
    agg["met"] = agg["groups_met"] >= len(groups)
    out = agg.reset_index()[["collection_id", "complete", "percent", "met"]]
    out.attrs["quota"] = total
    return out


def regency_collections(regency: Regency) -> dict[int, dict]:
    """{period id: {"id", "state"}} of the kab/kota's collections, every period. One query."""
    rows = Collection.objects.filter(regency=regency).values("id", "state", "period_id")
    return {row.pop("period_id"): row for row in rows}


def collection_with_period(collection_id: int) -> Collection:
    """One collection with its period and instrument, for its score card (reports.score_display)."""
    return Collection.objects.select_related("period__instrument", "regency").get(pk=collection_id)


def regency_scores(regency: Regency) -> pd.DataFrame:
    """Every stored score of one kab/kota over the periods (both bases), newest first: year, period,
    state, basis, overall, reported, category, quota, computed_at, variables/indicators/groups/ci dicts.
    Only scores of the period's own instrument. One query."""
    fields = ["collection_id", "basis", "overall", "reported", "category", "quota_met", "respondents"]
    fields += ["computed_at", "variables", "indicators", "groups", "ci"]
    related = {
        "year": F("collection__period__year"),
        "period_id": F("collection__period_id"),
        "state": F("collection__state"),
    }
    rows = (
        Score.objects.filter(
            collection__regency=regency, instrument_id=F("collection__period__instrument_id")
        )
        .order_by("-collection__period__year", "basis")
        .values(*fields, **related)
    )
    return pd.DataFrame(list(rows), columns=[*fields, *related])


def regencies_history(regencies: QuerySet[Regency], variables: list[str]) -> pd.DataFrame:
    """The current score of every collection of `regencies` in every period: year, code, name,
    province_code, state, overall, reported, category, quota_met and variable columns. One query."""
    rows = (
        Score.objects.filter(
            basis=CURRENT,
            collection__regency__in=regencies,
            instrument_id=F("collection__period__instrument_id"),
        )
        .order_by("collection__period__year", "collection__regency__code")
        .values_list(
            "collection__period__year",
            "collection__regency__code",
            "collection__regency__name",
            "collection__regency__province__code",
            "collection__state",
            "overall",
            "reported",
            "category",
            "quota_met",
            "variables",
        )
    )
    frame = pd.DataFrame(
        list(rows),
        columns=[
            "year",
            "code",
            "name",
            "province_code",
            "state",
            "overall",
            "reported",
            "category",
            "quota_met",
            "variables",
        ],
    ).astype({"overall": "float64", "reported": "float64"})
    frame = _expand(frame, "variables", variables)
    frame.attrs["variables"] = list(variables)
    return frame


# --- aggregates (no kab/kota named) -----------------------------------------------------------------------


@dataclass
class PeriodAverages:
    """Averages of one period's verified (verified/final) current scores, nationally and per province,
    and the sorted overall scores of the ranked participants (to place one kab/kota: "r of n")."""

    national: pd.Series  # overall + variable codes, and n
    provinces: pd.DataFrame  # index province_code: n, overall, variable codes
    ranked_overall: np.ndarray = field(default_factory=lambda: np.array([]))

    def rank_of(self, overall: float) -> tuple[int, int] | None:
        """("r", "n") of a ranked score among the ranked participants (ties share the rank)."""
        n = len(self.ranked_overall)
        if not n or overall is None or not np.isfinite(overall):
            return None
        higher = int((self.ranked_overall.round(6) > round(float(overall), 6)).sum())
        return higher + 1, n


def period_averages(period, variables: list[str]) -> PeriodAverages:
    """Averages over every verified kab/kota of the period (whatever the user's scope: only numbers
    over many kab/kota leave this function). One query."""
    instrument_id = period["instrument_id"] if isinstance(period, dict) else period.instrument_id
    period_id = period["id"] if isinstance(period, dict) else period.pk
    rows = Score.objects.filter(
        collection__period_id=period_id,
        instrument_id=instrument_id,
        basis=CURRENT,
        collection__state__in=RANKED_STATES,
    ).values_list("collection__regency__province__code", "overall", "quota_met", "variables")
    frame = pd.DataFrame(list(rows), columns=["province_code", "overall", "quota_met", "variables"])
    frame = _expand(frame.astype({"overall": "float64"}), "variables", variables)
    cols = ["overall", *variables]
    national = frame[cols].mean()
    national["n"] = len(frame)
    provinces = frame.groupby("province_code")[cols].mean()
    provinces["n"] = frame.groupby("province_code").size()
    ranked = np.sort(frame.loc[frame["quota_met"].astype(bool), "overall"].to_numpy())[::-1]
    return PeriodAverages(national=national, provinces=provinces, ranked_overall=ranked)


def yearly_categories(regencies: QuerySet[Regency]) -> pd.DataFrame:
    """Ranked kab/kota (verified/final, quota met) per period and category: year, category, n.
    One aggregate query."""
    rows = (
        Score.objects.filter(
            basis=CURRENT,
            instrument_id=F("collection__period__instrument_id"),
            collection__state__in=RANKED_STATES,
            collection__regency__in=regencies,
            quota_met=True,
        )
        .values("collection__period__year", "category")
        .annotate(n=Count("id"))
        .order_by("collection__period__year", "category")
        .values_list("collection__period__year", "category", "n")
    )
    return pd.DataFrame(list(rows), columns=["year", "category", "n"])


def yearly_averages(regencies: QuerySet[Regency] | None = None) -> pd.DataFrame:
    """Average verified overall score per period and province: year, is_synthetic, province_code,
    province, n, overall. Over all kab/kota (aggregates) unless `regencies` narrows it. One query."""
    qs = Score.objects.filter(
        basis=CURRENT,
        instrument_id=F("collection__period__instrument_id"),
        collection__state__in=RANKED_STATES,
    )
    if regencies is not None:
        qs = qs.filter(collection__regency__in=regencies)
    rows = (
        qs.values(
            "collection__period__year",
            "collection__period__is_synthetic",
            "collection__regency__province__code",
            "collection__regency__province__name",
        )
        .annotate(n=Count("id"), overall=Avg("overall"))
        .order_by("collection__period__year", "collection__regency__province__code")
        .values_list(
            "collection__period__year",
            "collection__period__is_synthetic",
            "collection__regency__province__code",
            "collection__regency__province__name",
            "n",
            "overall",
        )
    )
    return pd.DataFrame(
        list(rows), columns=["year", "is_synthetic", "province_code", "province", "n", "overall"]
    ).astype({"overall": "float64"})


# --- the dashboards' fingerprint (reports.page_cache) -----------------------------------------------------


def _scalar(queryset: QuerySet, function: str, expression, output_field) -> Subquery:
    """function(expression) over the whole of `queryset`, as a subquery giving one value (no GROUP BY)."""
    value = Func(expression, function=function, output_field=output_field)
    return Subquery(queryset.order_by().values(value=value))


def _ci_end(end: int) -> Cast:
    """One end of every score's reported-scale interval (Score.ci["reported"][end]) as a number."""
    return Cast(KeyTextTransform(str(end), KeyTransform("reported", "ci")), FloatField())


def dashboard_inputs(period_id: int) -> tuple:
    """What any dashboard of the period reads that changes, as a few numbers (two queries): every stored
    score (count, newest id, newest computed_at, the sum of the values: trends and averages read every
    period), every collection's state (count, newest updated_at and a sum weighing each id by its state,
    which a bulk update of states moves too), the period's complete questionnaires (quotas) and its
    stored reports (the PDF links of the province table); the scores' intervals (their count and the sums
    of their reported-scale lower and upper ends: a backfilled or recomputed interval moves them) and the
    period's stored rank intervals (fingerprint and time)."""
    scores = Score.objects.aggregate(
        n=Count("id"),
        last=Max("id"),
        at=Max("computed_at"),
        values=Sum(F("overall") + F("reported")),
        ci_low=Sum(_ci_end(0)),
        ci_high=Sum(_ci_end(1)),
        with_ci=Count("id", filter=Q(ci__has_key="reported")),
    )
    collections = Collection.objects.all()
    complete = Questionnaire.objects.filter(
        collection__period_id=period_id, state=Questionnaire.State.COMPLETE
    )
    # the dashboards show the period's reports; an action plan's documents are not on them
    rendered = RenderedReport.objects.filter(period_id=period_id).exclude(
        scope_kind=RenderedReport.ScopeKind.PLAN
    )
    ranges = RankIntervals.objects.filter(period_id=period_id)
    weighed = Case(
        *(When(state=state, then=F("id") * (i + 1)) for i, state in enumerate(Collection.State.values)),
        default=Value(0),
    )
    whole, stamp = IntegerField(), DateTimeField()
    row = (
        Period.objects.filter(pk=period_id)
        .values_list(
            _scalar(collections, "COUNT", F("id"), whole),
            _scalar(collections, "MAX", F("updated_at"), stamp),
            _scalar(collections, "SUM", weighed, whole),
            _scalar(complete, "COUNT", F("id"), whole),
            _scalar(complete, "MAX", F("updated_at"), stamp),
            _scalar(complete, "SUM", F("id") + F("group_id"), whole),
            _scalar(rendered, "COUNT", F("id"), whole),
            _scalar(rendered, "MAX", F("rendered_at"), stamp),
            Subquery(ranges.values("fingerprint")[:1]),
            _scalar(ranges, "MAX", F("computed_at"), stamp),
        )
        .first()
    )
    # the sum of floats rounded: its last bits may differ between two scans of the same rows
    values = None if scores["values"] is None else round(scores["values"], 6)
    ci = tuple(None if scores[k] is None else round(scores[k], 6) for k in ("ci_low", "ci_high"))
    return (scores["n"], scores["last"], scores["at"], values, *ci, scores["with_ci"], *(row or ()))
