"""Pure shaping of the dashboards' frames (no database): averages, category counts, target reach,
year over year. Input frames come from reports.selectors; output feeds reports.charts and tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reports import maps
from reports.ranking import RANKED_STATES

TARGET_LABEL = "tanggap"
SENT_STATES = ("submitted", *RANKED_STATES)


def as_float(value) -> float | None:
    """A plain float for templates, PDFs and JSON; None for missing (None, NA, NaN) or not a number."""
    if value is None or value is pd.NA:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def target_index(labels: list[str]) -> int:
    """The lowest category that counts toward BNN's yearly target ("Tanggap atau lebih"): the band
    labelled Tanggap, else the second highest band."""
    for i, label in enumerate(labels):
        if label.strip().lower() == TARGET_LABEL:
            return i
    return max(len(labels) - 2, 0)


def target_labels(labels: list[str]) -> list[str]:
    return labels[target_index(labels) :] if labels else []


def verified(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose current score is the verified one (collection verified or final)."""
    return frame[frame["state"].isin(RANKED_STATES) & frame["current"].notna()]


def sent_count(frame: pd.DataFrame) -> int:
    """Collections of a period_scores frame that reached the BNNP: submitted, verified or final (the
    states outside assessments.workflow.EDITABLE_STATES)."""
    return int(frame["state"].isin(SENT_STATES).sum())


def category_counts(frame: pd.DataFrame, labels: list[str]) -> pd.Series:
    """Verified kab/kota per category, in band order (categories outside the scheme dropped)."""
    counts = verified(frame)["category"].value_counts()
    return counts.reindex(labels, fill_value=0).astype(int)


def category_by_province(frame: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Verified kab/kota per province (index province names) and category (columns, band order)."""
    data = verified(frame)
    if data.empty:
        return pd.DataFrame(columns=labels, dtype=int)
    table = pd.crosstab(data["province"], data["category"])
    return table.reindex(columns=labels, fill_value=0).astype(int)


def province_averages(frame: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """Per province: n participants, verified, average verified overall and variables."""
    data = verified(frame)
    cols = ["current", *variables]
    means = data.groupby(["province_code", "province"])[cols].mean().rename(columns={"current": "overall"})
    counts = frame.groupby(["province_code", "province"]).size().rename("participants")
    n = data.groupby(["province_code", "province"]).size().rename("n")
    out = pd.concat([counts, n, means], axis=1).reset_index()
    out["n"] = out["n"].fillna(0).astype(int)
    return out.sort_values("overall", ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )


def target_reach(ranking: pd.DataFrame, labels: list[str]) -> int:
    """How many ranked kab/kota are in the target category or above."""
    return int(ranking["category"].isin(target_labels(labels)).sum())


def target_by_year(categories: pd.DataFrame, periods: list[dict], labels: list[str]) -> pd.DataFrame:
    """year, reached (ranked kab/kota in the target category or above), target (the period's count),
    for every period with ranked results."""
    wanted = target_labels(labels)
    reached = categories[categories["category"].isin(wanted)].groupby("year")["n"].sum()
    years = sorted(set(categories["year"]))
    targets = {p["year"]: p["target_count"] for p in periods}
    return pd.DataFrame(
        {
            "year": years,
            "reached": [int(reached.get(y, 0)) for y in years],
            "target": [targets.get(y, 0) for y in years],
        }
    )


def variable_table(
    values: dict[str, pd.Series], variables: list[tuple[str, str]], overall_label: str
) -> pd.DataFrame:
    """Index (overall, then variable names) × one column per series name: each series holds `overall`
    and variable codes."""
    index = [overall_label, *[name for _, name in variables]]
    keys = ["overall", *[code for code, _ in variables]]
    data = {}
    for name, series in values.items():
        data[name] = [float(series.get(k, np.nan)) if series is not None else np.nan for k in keys]
    return pd.DataFrame(data, index=index)


def year_over_year(current: pd.DataFrame, history: pd.DataFrame, previous_year: int | None) -> pd.DataFrame:
    """Each kab/kota of `current` (a period_scores frame) with its previous year's current score and
    the change: code, name, previous, current (both only when verified), change."""
    out = current[["code", "name"]].copy()
    ver = verified(current).set_index("code")["current"]
    out["current"] = out["code"].map(ver)
    if previous_year is None or history.empty:
        out["previous"] = np.nan
    else:
        prev = history[(history["year"] == previous_year) & history["state"].isin(RANKED_STATES)]
        out["previous"] = out["code"].map(prev.set_index("code")["overall"])
    out["change"] = out["current"] - out["previous"]
    return out


def national_trend(yearly: pd.DataFrame) -> pd.Series:
    """National average verified score per year (weighted by kab/kota) from yearly_averages rows."""
    if yearly.empty:
        return pd.Series(dtype="float64")
    weighted = (yearly["overall"] * yearly["n"]).groupby(yearly["year"]).sum()
    return weighted / yearly.groupby("year")["n"].sum()


def province_trend(yearly: pd.DataFrame, province_code: str) -> pd.Series:
    rows = yearly[yearly["province_code"] == province_code]
    return rows.set_index("year")["overall"]


def quota_percent(groups: dict) -> int | None:
    """Quota progress (0-100, each group capped) from a stored score's groups {code: {n, quota}}."""
    total = sum(int(g.get("quota", 0)) for g in groups.values())
    if not groups:
        return None
    if not total:
        return 100
    capped = sum(min(int(g.get("n", 0)), int(g.get("quota", 0))) for g in groups.values())
    return round(100 * capped / total)


def map_provinces(averages: pd.DataFrame) -> dict[str, float | None]:
    """A map's province values, by province code: the average verified index of each province's kab/kota
    as province_averages() computed it (the same numbers as the province ranking beside the map)."""
    return {str(c): as_float(v) for c, v in zip(averages["province_code"], averages["overall"], strict=True)}


def map_points(verified: pd.DataFrame, ranking: pd.DataFrame) -> list[maps.MapPoint]:
    """Every ranked kab/kota (`ranking`, quota met) as a point at its centroid, with its verified score."""
    rank = ranking.set_index("code")["rank"]
    ranked = verified[verified["code"].isin(rank.index)]
    return [
        maps.MapPoint(
            code=r["code"],
            name=r["name"],
            province_code=str(r.get("province_code", "")),
            latitude=as_float(r.get("latitude")),
            longitude=as_float(r.get("longitude")),
            score=as_float(r["current"]),
            category=r["category"] or None,
            rank=int(rank[r["code"]]),
        )
        for r in ranked.to_dict("records")
    ]
