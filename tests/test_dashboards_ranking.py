"""reports.ranking.national_ranking: who is ranked, ties, sub-ranks and movement (pure, no database)."""

import math

import pandas as pd

from reports.ranking import national_ranking


def _frame(rows):
    cols = ["code", "name", "province", "kind", "state", "quota_met", "current", "submitted", "KK", "KL"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["reported"] = frame["current"].round(2)
    frame["category"] = "Tanggap"
    frame.attrs["variables"] = ["KK", "KL"]
    return frame


def test_only_verified_or_final_with_quota_met_are_ranked_highest_first():
    frame = _frame(
        [
            ("0001", "A", "P", "kota", "verified", True, 70.0, 65.0, 80.0, 60.0),
            ("0002", "B", "P", "kabupaten", "final", True, 90.0, 90.0, 50.0, 95.0),
            ("0003", "C", "P", "kota", "submitted", True, 99.0, 99.0, 99.0, 99.0),  # not verified
            ("0004", "D", "P", "kota", "verified", False, 98.0, 98.0, 98.0, 98.0),  # quota not met
            ("0005", "E", "Q", "kota", "verified", True, 60.0, float("nan"), 40.0, 80.0),
        ]
    )
    out = national_ranking(frame, None)
    assert list(out["code"]) == ["0002", "0001", "0005"]
    assert list(out["rank"]) == [1, 2, 3]
    assert set(out["n"]) == {3}
    assert list(out["verified"]) == [90.0, 70.0, 60.0]
    assert list(out["submitted"][:2]) == [90.0, 65.0] and math.isnan(out["submitted"][2])
    # Sub-ranks among the ranked only: KK 80 (A) > 50 (B) > 40 (E); KL 95 (B) > 80 (E) > 60 (A).
    assert list(out["rank_KK"]) == [2, 1, 3]
    assert list(out["rank_KL"]) == [1, 3, 2]
    assert out["movement"].isna().all()
    assert list(out.columns) == [
        "rank", "n", "code", "name", "province", "kind", "overall", "reported", "category", "state",
        "submitted", "verified", "KK", "KL", "rank_KK", "rank_KL", "movement",
    ]  # fmt: skip


def test_ties_share_a_rank_and_the_next_rank_skips():
    frame = _frame(
        [
            ("0001", "A", "P", "kota", "verified", True, 70.0, 70.0, 1.0, 1.0),
            ("0002", "B", "P", "kota", "verified", True, 70.0 + 1e-9, 70.0, 1.0, 1.0),
            ("0003", "C", "P", "kota", "verified", True, 50.0, 50.0, 1.0, 1.0),
        ]
    )
    out = national_ranking(frame, None)
    assert list(out["rank"]) == [1, 1, 3]
    assert list(out["code"]) == ["0001", "0002", "0003"]


def test_movement_against_previous_period_positive_when_climbing():
    previous = _frame(
        [
            ("0001", "A", "P", "kota", "verified", True, 90.0, 90.0, 1.0, 1.0),
            ("0002", "B", "P", "kota", "verified", True, 80.0, 80.0, 1.0, 1.0),
            ("0003", "C", "P", "kota", "verified", True, 70.0, 70.0, 1.0, 1.0),
        ]
    )
    frame = _frame(
        [
            ("0001", "A", "P", "kota", "verified", True, 60.0, 60.0, 1.0, 1.0),  # 1 -> 3: -2
            ("0002", "B", "P", "kota", "verified", True, 65.0, 65.0, 1.0, 1.0),  # 2 -> 2: 0
            ("0003", "C", "P", "kota", "verified", True, 95.0, 95.0, 1.0, 1.0),  # 3 -> 1: +2
            ("0004", "D", "P", "kota", "verified", True, 50.0, 50.0, 1.0, 1.0),  # new
        ]
    )
    out = national_ranking(frame, previous).set_index("code")
    assert out.loc["0003", "movement"] == 2
    assert out.loc["0002", "movement"] == 0
    assert out.loc["0001", "movement"] == -2
    assert pd.isna(out.loc["0004", "movement"])
    # A previous *ranking* works as well as a previous scores frame.
    again = national_ranking(frame, national_ranking(previous, None)).set_index("code")
    assert again["movement"].equals(out["movement"])


def test_empty_frame_gives_an_empty_ranking_with_the_columns():
    out = national_ranking(_frame([]), None)
    assert len(out) == 0
    assert "rank_KK" in out.columns and "movement" in out.columns
