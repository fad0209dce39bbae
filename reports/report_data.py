"""Reads for exports, PDF reports and the API: a period's scores as one frame, plus names and history.

A fixed number of queries per period, whatever the number of kab/kota (.values_list, no per-row
queries). The frame has the columns reports.ranking expects (one row per participating kab/kota).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Avg, F

from assessments.models import Band, Collection, Indicator, Period, RespondentGroup, Variable
from reports.models import Score
from reports.ranking import RANKED_STATES, national_ranking

FRAME_COLUMNS = [
    "collection_id",
    "regency_id",
    "code",
    "name",
    "province_code",
    "province",
    "kind",
    "state",
    "quota_met",
    "respondents",
    "current",
    "submitted",
    "reported",
    "category",
    "computed_at",
]


@dataclass
class PeriodScores:
    period: Period
    variables: list[tuple[str, str]]  # (code, name) in instrument order
    frame: pd.DataFrame  # FRAME_COLUMNS + one column per variable code
    details: dict[str, dict] = field(default_factory=dict)  # regency code -> indicators, groups of current

    @property
    def variable_codes(self) -> list[str]:
        return [code for code, _ in self.variables]


def period_variables(period: Period) -> list[tuple[str, str]]:
    return list(
        Variable.objects.filter(instrument_id=period.instrument_id)
        .order_by("order", "id")
        .values_list("code", "name")
    )


def period_scores(period: Period, regency_ids=None, *, details: bool = False) -> PeriodScores:
    """Every collection of the period (optionally only these regency ids, a list or a queryset of ids)
    with its current and submitted score. Three queries (variables, collections, scores)."""
    variables = period_variables(period)
    codes = [c for c, _ in variables]
    collections = Collection.objects.filter(period=period)
    if regency_ids is not None:
        collections = collections.filter(regency_id__in=regency_ids)
    rows = list(
        collections.values_list(
            "id",
            "regency_id",
            "regency__code",
            "regency__name",
            "regency__province__code",
            "regency__province__name",
            "regency__kind",
            "state",
        )
    )
    base = pd.DataFrame(
        rows,
        columns=["collection_id", "regency_id", "code", "name", "province_code", "province", "kind", "state"],
    )
    score_fields = ["collection_id", "basis", "overall", "reported", "category", "variables", "quota_met"]
    score_fields += ["respondents", "computed_at"]
    if details:
        score_fields += ["indicators", "groups", "input_hash"]
    scores = Score.objects.filter(collection__period=period, instrument_id=period.instrument_id)
    if regency_ids is not None:
        scores = scores.filter(collection__regency_id__in=regency_ids)
    current: dict[int, dict] = {}
    submitted: dict[int, float] = {}
    for rec in scores.values(*score_fields):
        if rec["basis"] == Score.Basis.CURRENT:
            current[rec["collection_id"]] = rec
        else:
            submitted[rec["collection_id"]] = rec["overall"]

    def pick(key, default=None):
        return [current.get(cid, {}).get(key, default) for cid in base["collection_id"]]

    frame = base.assign(
        quota_met=pick("quota_met", False),
        respondents=pick("respondents", 0),
        current=pd.array(pick("overall"), dtype="Float64").astype("float64"),
        submitted=pd.array([submitted.get(cid) for cid in base["collection_id"]], dtype="Float64").astype(
            "float64"
        ),
        reported=pd.array(pick("reported"), dtype="Float64").astype("float64"),
        category=pick("category", ""),
        computed_at=pick("computed_at"),
    )
    for code in codes:
        frame[code] = pd.array(
            [(current.get(cid, {}).get("variables") or {}).get(code) for cid in base["collection_id"]],
            dtype="Float64",
        ).astype("float64")
    frame = frame[FRAME_COLUMNS + codes].sort_values("code", kind="stable").reset_index(drop=True)
    frame.attrs["variables"] = codes
    extra = {}
    if details:
        code_of = dict(zip(base["collection_id"], base["code"], strict=True))
        extra = {
            code_of[cid]: {
                "indicators": rec.get("indicators") or {},
                "groups": rec.get("groups") or {},
                "input_hash": rec.get("input_hash", ""),
            }
            for cid, rec in current.items()
            if cid in code_of
        }
    return PeriodScores(period=period, variables=variables, frame=frame, details=extra)


def previous_period(period: Period) -> Period | None:
    return Period.objects.filter(year__lt=period.year).order_by("-year").first()


def ranking_with_previous(scores: PeriodScores, previous: PeriodScores | None) -> pd.DataFrame:
    prev_ranking = (
        national_ranking(previous.frame, None, variables=previous.variable_codes)
        if previous is not None
        else None
    )
    return national_ranking(scores.frame, prev_ranking, variables=scores.variable_codes)


def national_history(up_to_year: int) -> list[tuple[int, float | None]]:
    """(year, mean current score of ranked collections) for every period up to this year, oldest first.
    One query. Ranked as in reports.ranking: verified/final with quotas met."""
    rows = (
        Score.objects.filter(
            basis=Score.Basis.CURRENT,
            instrument_id=F("collection__period__instrument_id"),
            collection__state__in=RANKED_STATES,
            quota_met=True,
            collection__period__year__lte=up_to_year,
        )
        .values("collection__period__year")
        .annotate(avg=Avg("overall"))
        .order_by("collection__period__year")
    )
    return [(r["collection__period__year"], r["avg"]) for r in rows]


def band_labels(period: Period) -> list[str]:
    """Category labels of the period's band scheme, lowest band first."""
    return list(
        Band.objects.filter(scheme__instruments__id=period.instrument_id)
        .order_by("order")
        .values_list("label", flat=True)
    )


def indicator_names(period: Period) -> list[tuple[str, str, str]]:
    """(indicator code, name, variable name) in instrument order."""
    return list(
        Indicator.objects.filter(variable__instrument_id=period.instrument_id)
        .order_by("variable__order", "order", "id")
        .values_list("code", "name", "variable__name")
    )


def group_names(period: Period) -> list[tuple[str, str]]:
    return list(
        RespondentGroup.objects.filter(instrument_id=period.instrument_id)
        .order_by("order", "id")
        .values_list("code", "name")
    )
