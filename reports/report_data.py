"""Reads for exports, PDF reports and the API: a whole period's scores with national ranks, and the
national history. The rows come from reports.selectors.period_scores, as on the dashboards.

A fixed number of queries per period, whatever the number of kab/kota (no per-row queries). The frame
has the columns reports.ranking expects (one row per participating kab/kota).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Avg, F, QuerySet

from assessments.models import Period
from regions.models import Regency
from reports import selectors
from reports.ranking import RANKED_STATES, national_ranking
from scoring.models import Score


@dataclass
class PeriodScores:
    period: Period
    variables: list[tuple[str, str]]  # (code, name) in instrument order
    frame: pd.DataFrame  # selectors.PERIOD_COLUMNS + one column per variable code
    details: dict[str, dict] = field(default_factory=dict)  # regency code -> indicators, groups of current

    @property
    def variable_codes(self) -> list[str]:
        return [code for code, _ in self.variables]


def period_scores(
    period: Period, regencies: QuerySet[Regency] | None = None, *, details: bool = False
) -> PeriodScores:
    """Every collection of the period (or only those of `regencies`) with its current and submitted
    score. Two queries (variables, scores)."""
    variables = selectors.instrument_variables(period.instrument_id)
    frame = selectors.period_scores(period, regencies, [c for c, _ in variables], details=details)
    extra = {}
    if details:
        scored = frame[frame["current"].notna()]
        extra = {
            rec["code"]: {
                "indicators": rec["indicators"] or {},
                "groups": rec["groups"] or {},
                "input_hash": rec["input_hash"] or "",
            }
            for rec in scored[["code", "input_hash", *selectors.DETAIL_COLUMNS]].to_dict("records")
        }
        frame = frame.drop(columns=selectors.DETAIL_COLUMNS)
    return PeriodScores(period=period, variables=variables, frame=frame, details=extra)


def previous_period(period: Period) -> Period | None:
    return Period.objects.filter(year__lt=period.year).order_by("-year").first()


def previous_scores(period: Period) -> PeriodScores | None:
    """The previous period's overall scores (for rank movement and last year's score), or None."""
    previous = previous_period(period)
    if previous is None:
        return None
    frame = selectors.period_scores(previous, None, [])
    return PeriodScores(period=previous, variables=[], frame=frame)


def ranking_with_previous(scores: PeriodScores, previous: PeriodScores | None) -> pd.DataFrame:
    prev_ranking = national_ranking(previous.frame, None, variables=[]) if previous is not None else None
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
