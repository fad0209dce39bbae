"""The effect of action plans on stored indicator scores, labelled as an association: pure, no Django.

For a kab/kota whose plan belongs to period year Y (issue 16, "Effect, honestly labelled"):
1. The years compared are Y and the kab/kota's next scored year after Y (the smallest later year it
   has any indicator score in). No later score, or no score in Y itself: nothing is compared and the
   figures are None, with a reason code (never a fake 0).
2. An indicator's change is its score in the later year minus its score in Y (0-100 points). Only
   indicators scored in both years count; an actioned indicator missing in either year is listed in
   `missing` and left out.
3. "With actions": the indicators that had at least one completed action item (status selesai) in the
   plan; "without": every other indicator scored in both years. Each side is the plain mean of its
   indicators' changes, with its count; a side with no indicator is None. The difference is with minus
   without, None unless both sides exist.
4. National change of the same indicators over the same two years: per indicator, the mean change over
   every kab/kota scored in both years (with or without a plan, the plan's own kab/kota included); a
   side's national figure is the mean of those per-indicator changes over the side's indicators.
5. Pooled (the national view): over every plan that could be compared, each side's mean weighted by
   its indicator count (the mean over all kab/kota-indicator pairs of that side), the same weighting
   for the national figures, and how many plans have the "with" side ahead.

Which scores are passed is the caller's choice (the ones rankings use: the current basis of verified
or final collections). Nothing here shows that an action caused a change: every result carries CAVEAT.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


def gettext_noop(message: str) -> str:
    """Marks a string for `makemessages` (which looks for this name) without translating it: this module
    cannot import Django, so a page translates the value with gettext when it shows it."""
    return message


# Shown beside every effect figure; the page renders gettext(effect.caveat).
CAVEAT = gettext_noop("Asosiasi, bukan bukti sebab-akibat")

# Why a plan has no figures (codes for logic, REASON_TEXT for the page, translated there too).
NO_BASE = "no_base_period"
NO_NEXT = "no_next_period"
REASON_TEXT = {
    NO_BASE: gettext_noop("Periode rencana aksi ini belum memiliki skor indikator."),
    NO_NEXT: gettext_noop("Belum ada periode berikutnya yang dinilai."),
}

SCORE_COLUMNS = ["regency", "year", "indicator", "score"]
NATIONAL_COLUMNS = ["indicator", "change", "regencies"]

# {regency code: {year: {indicator code: score 0-100}}}, as stored in scoring.models.Score.indicators.
ScoreMap = Mapping[str, Mapping[int, Mapping[str, float | None]]]


@dataclass(frozen=True)
class PlanFacts:
    """One kab/kota's plan: its period year and the indicator codes with a completed action item."""

    regency: str
    year: int
    actioned: frozenset[str]


@dataclass(frozen=True)
class PlanEffect:
    """Mean score changes (points) of one plan's indicators, from `year_from` to `year_to`."""

    regency: str
    year_from: int
    year_to: int | None
    reason: str | None  # None when compared; NO_BASE or NO_NEXT otherwise
    with_change: float | None
    without_change: float | None
    difference: float | None  # with_change - without_change
    n_with: int
    n_without: int
    national_with: float | None  # the same indicators, every kab/kota scored in both years
    national_without: float | None
    national_regencies: int  # kab/kota scored in both years (the national figures' base)
    missing: tuple[str, ...]  # actioned indicators without a score in one of the two years
    caveat: str = CAVEAT

    @property
    def compared(self) -> bool:
        return self.year_to is not None


@dataclass(frozen=True)
class PooledEffect:
    """Every comparable plan together, each side weighted by its indicator count."""

    plans: int
    regencies: int
    n_with: int  # kab/kota-indicator pairs on each side
    n_without: int
    with_change: float | None
    without_change: float | None
    difference: float | None
    national_with: float | None
    national_without: float | None
    both_sides: int  # plans with both sides, so with a difference
    with_ahead: int  # of those, plans whose actioned indicators rose more
    year_pairs: tuple[tuple[int, int], ...]
    caveat: str = CAVEAT


def score_frame(scores: ScoreMap) -> pd.DataFrame:
    """The nested scores as a long table (SCORE_COLUMNS); a None or non-finite score is dropped."""
    rows = [
        (regency, int(year), code, value)
        for regency, by_year in scores.items()
        for year, indicators in by_year.items()
        for code, value in indicators.items()
    ]
    frame = pd.DataFrame(rows, columns=SCORE_COLUMNS).astype({"regency": object, "indicator": object})
    frame["year"] = frame["year"].astype("int64")
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype("float64")
    return frame[np.isfinite(frame["score"].to_numpy())].reset_index(drop=True)


def national_changes(frame: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Per indicator: the mean change over the kab/kota scored on it in both years, and how many."""
    changes = _pair_changes(frame, year_from, year_to)
    out = changes.groupby("indicator", sort=True)["change"].agg(change="mean", regencies="size")
    return out.reset_index()[NATIONAL_COLUMNS]


def plan_effects(plans: Iterable[PlanFacts], scores: ScoreMap) -> list[PlanEffect]:
    """One PlanEffect per plan, in the order given (see the module docstring for the method)."""
    plans = list(plans)
    frame = score_frame(scores)
    spans = _spans(plans, frame)
    rows = _indicator_rows(plans, spans, frame)
    sides = _sides(rows)
    year_to = spans["year_to"].tolist()
    has_base = spans["has_base"].tolist()
    national_base = _national_bases(frame, spans)
    missing = _missing(plans, spans, rows)
    return [
        _effect(plan, year_to[i], has_base[i], sides.get(i, {}), national_base, missing.get(i, ()))
        for i, plan in enumerate(plans)
    ]


def pooled_effect(effects: Iterable[PlanEffect]) -> PooledEffect:
    """The national view over plan_effects' results: plans not compared are left out."""
    compared = [e for e in effects if e.compared]
    n_with = sum(e.n_with for e in compared)
    n_without = sum(e.n_without for e in compared)
    with_change = _weighted([(e.n_with, e.with_change) for e in compared])
    without_change = _weighted([(e.n_without, e.without_change) for e in compared])
    paired = [e for e in compared if e.difference is not None]
    return PooledEffect(
        plans=len(compared),
        regencies=len({e.regency for e in compared}),
        n_with=n_with,
        n_without=n_without,
        with_change=with_change,
        without_change=without_change,
        difference=_minus(with_change, without_change),
        national_with=_weighted([(e.n_with, e.national_with) for e in compared]),
        national_without=_weighted([(e.n_without, e.national_without) for e in compared]),
        both_sides=len(paired),
        with_ahead=sum(1 for e in paired if e.difference > 0),
        year_pairs=tuple(sorted({(e.year_from, e.year_to) for e in compared})),
    )


# --- steps ----------------------------------------------------------------------------------------------


def _pair_changes(frame: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """regency, indicator, change for every kab/kota-indicator scored in both years."""
    start = frame.loc[frame["year"] == year_from, ["regency", "indicator", "score"]]
    end = frame.loc[frame["year"] == year_to, ["regency", "indicator", "score"]]
    both = start.merge(end, on=["regency", "indicator"], suffixes=("_from", "_to"))
    both["change"] = both["score_to"] - both["score_from"]
    return both[["regency", "indicator", "change"]]


def _spans(plans: list[PlanFacts], frame: pd.DataFrame) -> pd.DataFrame:
    """Per plan (index = position): regency, year_from, has_base, year_to (-1 when none)."""
    spans = pd.DataFrame(
        {
            "regency": pd.Series([p.regency for p in plans], dtype=object),
            "year_from": np.array([p.year for p in plans], dtype="int64"),
        }
    )
    scored = frame[["regency", "year"]].drop_duplicates()
    pairs = spans.reset_index(names="plan").merge(scored, on="regency")
    spans["has_base"] = spans.index.isin(pairs.loc[pairs["year"] == pairs["year_from"], "plan"])
    later = pairs[pairs["year"] > pairs["year_from"]].groupby("plan")["year"].min()
    spans["year_to"] = later.reindex(spans.index, fill_value=-1).astype("int64")
    spans.loc[~spans["has_base"], "year_to"] = -1
    return spans


def _indicator_rows(plans: list[PlanFacts], spans: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """plan, indicator, change, acted, national for every indicator a compared plan scored in both years."""
    spans = spans[spans["year_to"] >= 0].reset_index(names="plan")
    keep = ["regency", "year", "indicator", "score"]
    start = spans.merge(frame[keep], left_on=["regency", "year_from"], right_on=["regency", "year"])
    end = spans.merge(frame[keep], left_on=["regency", "year_to"], right_on=["regency", "year"])
    rows = start[["plan", "year_from", "year_to", "indicator", "score"]].merge(
        end[["plan", "indicator", "score"]], on=["plan", "indicator"], suffixes=("_from", "_to")
    )
    rows["change"] = rows["score_to"] - rows["score_from"]
    acted = pd.MultiIndex.from_tuples(
        [(i, code) for i, p in enumerate(plans) for code in p.actioned], names=["plan", "indicator"]
    )
    rows["acted"] = pd.MultiIndex.from_frame(rows[["plan", "indicator"]]).isin(acted)
    national = _national_table(frame, spans)
    rows = rows.merge(national, on=["year_from", "year_to", "indicator"], how="left")
    return rows[["plan", "indicator", "change", "acted", "national"]]


def _national_table(frame: pd.DataFrame, spans: pd.DataFrame) -> pd.DataFrame:
    """year_from, year_to, indicator, national: the national change of each pair of years compared."""
    pairs = spans[["year_from", "year_to"]].drop_duplicates().itertuples(index=False)
    tables = [
        national_changes(frame, a, b).assign(year_from=a, year_to=b).rename(columns={"change": "national"})
        for a, b in pairs
    ]
    if not tables:
        return pd.DataFrame(columns=["year_from", "year_to", "indicator", "national"])
    return pd.concat(tables, ignore_index=True)[["year_from", "year_to", "indicator", "national"]]


def _national_bases(frame: pd.DataFrame, spans: pd.DataFrame) -> dict[tuple[int, int], int]:
    """How many kab/kota are scored (on any indicator) in both years of each pair compared."""
    years = frame.groupby("year")["regency"].agg(set)
    pairs = spans.loc[spans["year_to"] >= 0, ["year_from", "year_to"]].drop_duplicates()
    return {(int(a), int(b)): len(years[a] & years[b]) for a, b in pairs.itertuples(index=False)}


def _sides(rows: pd.DataFrame) -> dict[int, dict[bool, tuple[float, int, float]]]:
    """Per plan and side (acted True/False): mean change, count, mean national change."""
    table = rows.groupby(["plan", "acted"]).agg(
        change=("change", "mean"), n=("change", "size"), national=("national", "mean")
    )
    out: dict[int, dict[bool, tuple[float, int, float]]] = {}
    for (i, acted), change, n, national in table.itertuples(name=None):
        out.setdefault(int(i), {})[bool(acted)] = (float(change), int(n), float(national))
    return out


def _missing(plans: list[PlanFacts], spans: pd.DataFrame, rows: pd.DataFrame) -> dict[int, tuple[str, ...]]:
    """Per compared plan: its actioned indicators that are not scored in both years, sorted."""
    found = set(zip(rows["plan"], rows["indicator"], strict=True))
    compared = spans.index[spans["year_to"] >= 0]
    out = {i: tuple(sorted(c for c in plans[i].actioned if (i, c) not in found)) for i in compared}
    return {i: codes for i, codes in out.items() if codes}


def _effect(
    plan: PlanFacts,
    year_to: int,
    has_base: bool,
    sides: dict[bool, tuple[float, int, float]],
    national_base: dict[tuple[int, int], int],
    missing: tuple[str, ...],
) -> PlanEffect:
    if year_to < 0:
        return _not_compared(plan, NO_NEXT if has_base else NO_BASE)
    with_ = sides.get(True, (None, 0, None))
    without = sides.get(False, (None, 0, None))
    return PlanEffect(
        regency=plan.regency,
        year_from=plan.year,
        year_to=year_to,
        reason=None,
        with_change=with_[0],
        without_change=without[0],
        difference=_minus(with_[0], without[0]),
        n_with=with_[1],
        n_without=without[1],
        national_with=with_[2],
        national_without=without[2],
        national_regencies=national_base[(plan.year, year_to)],
        missing=missing,
    )


def _not_compared(plan: PlanFacts, reason: str) -> PlanEffect:
    return PlanEffect(
        regency=plan.regency,
        year_from=plan.year,
        year_to=None,
        reason=reason,
        with_change=None,
        without_change=None,
        difference=None,
        n_with=0,
        n_without=0,
        national_with=None,
        national_without=None,
        national_regencies=0,
        missing=(),
    )


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _weighted(pairs: list[tuple[int, float | None]]) -> float | None:
    """Mean of (count, value) pairs weighted by count; pairs with no indicator are left out."""
    kept = [(n, v) for n, v in pairs if n and v is not None]
    total = sum(n for n, _ in kept)
    return sum(n * v for n, v in kept) / total if total else None
