"""Who takes part in a period's ranking, and how ties share a rank: pure (pandas, no Django, no database).

THE rule (../shared/IKOTAN.md, "Scoring" 5), shared by the national ranking (reports.ranking) and the rank
intervals' task (scoring.tasks.rank_intervals): participants whose collection is verified or final, whose
quotas are met (or whom BNN pusat included), with a current score.
"""

from __future__ import annotations

import pandas as pd

from assessments.states import VERIFIED_STATES

RANKED_STATES = VERIFIED_STATES

# Scores equal to this many decimals share a rank (float noise must not split a tie); ties take the
# lowest rank of the tie ("1, 2, 2, 4").
RANK_DECIMALS = 6


def ranked_mask(frame: pd.DataFrame) -> pd.Series:
    """Rows that take part in the ranking: verified/final, quota met (or included by BNN pusat), scored.
    `frame` has state, quota_met, current (the current basis' overall, NaN when not scored) and
    optionally include."""
    quota = frame["quota_met"].fillna(False).astype(bool)
    if "include" in frame.columns:
        quota = quota | frame["include"].fillna(False).astype(bool)
    return frame["state"].isin(RANKED_STATES) & quota & frame["current"].notna()
