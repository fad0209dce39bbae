"""The national ranking as a pure function over a period's scores frame (no database, no Django).

Who is ranked and how ties share a rank is scoring.ranked's rule (verified or final, quotas met or
included by BNN pusat, scored; "1, 2, 2, 4"), by the current (verified) overall score, highest first.
Every ranked kab/kota is "rank r of n participants". Movement compares with the previous period's
ranking: positive means it climbed.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from scoring.ranked import RANK_DECIMALS, RANKED_STATES, ranked_mask

__all__ = ["RANKED_STATES", "national_ranking", "ranked_mask", "variable_columns"]

# Columns of the input frame (reports.selectors.period_scores) that are not variable scores.
BASE_COLUMNS = {
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
    "include",
    "latitude",
    "longitude",
    "submitted_reported",
    "input_hash",
    "ci",
}

RANKING_FIXED = [
    "rank",
    "n",
    "code",
    "name",
    "province",
    "kind",
    "overall",
    "reported",
    "category",
    "state",
    "submitted",
    "verified",
]


def variable_columns(frame: pd.DataFrame, variables: Sequence[str] | None = None) -> list[str]:
    """The variable-code columns of a scores frame: given, from frame.attrs["variables"], or whatever
    is not a known base column, in frame order."""
    if variables is not None:
        return [v for v in variables if v in frame.columns]
    if "variables" in frame.attrs:
        return [v for v in frame.attrs["variables"] if v in frame.columns]
    return [c for c in frame.columns if c not in BASE_COLUMNS and not str(c).startswith("rank_")]


def _rank(values: pd.Series) -> pd.Series:
    return values.round(RANK_DECIMALS).rank(ascending=False, method="min").astype("Int64")


def national_ranking(
    frame: pd.DataFrame, previous: pd.DataFrame | None = None, *, variables: Sequence[str] | None = None
) -> pd.DataFrame:
    """Rank the participants of one period.

    `frame`: one row per kab/kota with at least code, name, province, kind, state, quota_met, current
    (0-100 overall of the current basis), submitted (0-100 overall of the submitted basis, may be NaN),
    reported, category and one column per variable code (0-100). `previous`: the same frame for the
    previous period, or its ranking (a frame with `rank`), or None.

    Returns rank, n, code, name, province, kind, overall, reported, category, state, submitted, verified,
    <variable codes>, rank_<variable code>, movement; sorted by rank then code. Ranks are nullable ints;
    movement is NA for a kab/kota that was not ranked the previous period; it compares ranks among the
    kab/kota ranked in both periods.
    """
    var_cols = variable_columns(frame, variables)
    ranked = frame[ranked_mask(frame)].copy()
    ranked["overall"] = ranked["current"].astype("float64")
    ranked["verified"] = ranked["overall"]
    ranked["rank"] = _rank(ranked["overall"])
    ranked["n"] = pd.array([len(ranked)] * len(ranked), dtype="Int64")
    for v in var_cols:
        ranked[v] = ranked[v].astype("float64")
        ranked[f"rank_{v}"] = _rank(ranked[v])
    if "submitted" not in ranked.columns:
        ranked["submitted"] = float("nan")

    if previous is not None and len(previous):
        prev = previous if "rank" in previous.columns else national_ranking(previous, None)
        prev = prev[prev["rank"].notna() & prev["code"].isin(ranked["code"])]
        # Last year's rank among the kab/kota ranked now, so a period still being verified (8 ranked
        # of 514) shows real moves, not "rank 3 of 8" against "rank 480 of 514".
        prev_rank = pd.Series(_rank(prev["overall"]).to_numpy(), index=prev["code"].to_numpy())
        ranked["movement"] = (ranked["code"].map(prev_rank).astype("Int64") - ranked["rank"]).astype("Int64")
    else:
        ranked["movement"] = pd.array([pd.NA] * len(ranked), dtype="Int64")

    columns = RANKING_FIXED + var_cols + [f"rank_{v}" for v in var_cols] + ["movement"]
    out = ranked.sort_values(["rank", "code"], kind="stable")[columns].reset_index(drop=True)
    out.attrs["variables"] = list(var_cols)
    return out
