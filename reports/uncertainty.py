"""How the pages, the API and the exports read the bootstrap's intervals (issue 17): pure (no database).

Score.ci holds a collection's 95 % intervals ({"overall": [lo, hi], "reported": [lo, hi], "variables":
{code: [lo, hi]}, ...}); RankIntervals holds a period's rank intervals with the fingerprint of the ranked
set they were computed from. A rank range is shown only when that fingerprint is the one of the ranked set
on the page (scoring.intervals.ranked_frame_fingerprint), so a stale row never prints a range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from reports.charts import num
from scoring import engine
from scoring.intervals import ranked_frame_fingerprint

Interval = tuple[float, float]


def interval(ci, key: str, code: str | None = None) -> Interval | None:
    """(lo, hi) of Score.ci's `key` ("overall", "reported"; "variables" with a variable `code`), or None
    when missing or not two finite numbers."""
    if not isinstance(ci, dict):
        return None
    value = ci.get(key)
    if code is not None:
        value = value.get(code) if isinstance(value, dict) else None
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    try:
        lo, hi = float(value[0]), float(value[1])
    except (TypeError, ValueError):
        return None
    return (lo, hi) if math.isfinite(lo) and math.isfinite(hi) else None


def variable_intervals(ci, codes: Sequence[str]) -> dict[str, Interval]:
    """{code: (lo, hi)} of the variables that have an interval."""
    found = {code: interval(ci, "variables", code) for code in codes}
    return {code: value for code, value in found.items() if value is not None}


def decimals_for(value: Interval) -> int:
    """An interval's printed decimals: one on the 0-100 scale (69,8–72,9), two on a small scale (1-4)."""
    return 1 if max(abs(value[0]), abs(value[1])) >= 10 else 2


def interval_text(value: Interval | None, decimals: int | None = None) -> str:
    """'69,8–72,9' in the page's language, or '' without an interval."""
    if value is None:
        return ""
    places = decimals_for(value) if decimals is None else decimals
    return f"{num(_half_up(value[0], places), places)}–{num(_half_up(value[1], places), places)}"


def _half_up(value: float, places: int) -> float:
    """Rounded half up as the templates' floatformat does (92.25 -> 92.3 on the card and the ranking)."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# --- rank intervals -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRanges:
    """A period's stored rank intervals, and whether they are of the ranked set shown (`current`)."""

    current: bool
    data: dict  # {collection id (str): {"national": [lo, hi], "province": [lo, hi]}} when current, else {}

    def of(self, collection_id, scope: str = "national") -> tuple[int, int] | None:
        """(lo, hi) rank range of one collection, or None."""
        found = (self.data.get(str(int(collection_id))) or {}).get(scope) if self.current else None
        if not isinstance(found, (list, tuple)) or len(found) != 2:
            return None
        return int(found[0]), int(found[1])


def rank_ranges(frame: pd.DataFrame, stored: tuple[str, dict] | None) -> RankRanges:
    """The rank ranges of the ranked set in `frame` (a period_scores frame of the whole set shown), from
    `stored` (RankIntervals' fingerprint and data, selectors.rank_intervals), current only when the
    fingerprints agree."""
    if stored is None or not len(frame):
        return RankRanges(current=False, data={})
    fingerprint, data = stored
    if fingerprint != ranked_frame_fingerprint(frame):
        return RankRanges(current=False, data={})
    return RankRanges(current=True, data=data or {})


# --- band edges ---------------------------------------------------------------------------------------------


def category_edges(bands: engine.BandSpec, reported: pd.Series) -> list[float]:
    """The edges between the scheme's categories on its reported scale: the fixed upper edges but the top
    one, or for a relative scheme the edges the period computed from all its participants' reported scores
    (engine.relative_edges; none while some participant has no score, as no category is assigned then)."""
    if bands.kind == engine.FIXED:
        return [round(float(u), bands.decimals) for u in bands.uppers[: len(bands.labels) - 1]]
    if not len(reported) or reported.isna().any():
        return []
    return engine.relative_edges(reported, bands)


def near_band_edge(value: Interval | None, bands: engine.BandSpec, edges: Sequence[float]) -> bool:
    """Whether the reported-scale interval holds scores of two categories ("mendekati batas kategori"), by
    the engine's rule for the scheme: a fixed upper edge belongs to its own band (engine.fixed_categories),
    a relative edge to the band above (engine.relative_categories)."""
    if value is None or not len(edges):
        return False
    ends = np.round(np.asarray(value, dtype="float64"), bands.decimals)
    side = "left" if bands.kind == engine.FIXED else "right"
    band = np.searchsorted(np.asarray(edges, dtype="float64"), ends, side=side)
    return bool(band[0] != band[1])
