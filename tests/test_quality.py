"""Quality flags: pure functions, no database."""

import datetime

import pandas as pd

from assessments.review import quality


def frame(rows):
    """rows: (questionnaire_id, group_id, question_id, kind, value); score = (value-1)/4 for likert."""
    df = pd.DataFrame(rows, columns=["questionnaire_id", "group_id", "question_id", "kind", "value"])
    df["score"] = ((df["value"] - 1) / 4).where(df["kind"] == "likert", df["value"])
    return df


def likert_q(qid, values, group=1):
    return [(qid, group, i + 1, "likert", v) for i, v in enumerate(values)]


def test_straight_lining_needs_five_equal_likert_answers():
    df = frame(likert_q(1, [4, 4, 4, 4, 4]) + likert_q(2, [4, 4, 4, 4, 3]) + likert_q(3, [5, 5, 5, 5]))
    result = quality.straight_lining(df)
    assert set(result) == {1}
    assert "5 jawaban Likert bernilai sama (4)" in result[1]


def test_duplicates_flag_every_twin():
    df = frame(likert_q(1, [1, 2, 3, 4, 5]) + likert_q(2, [1, 2, 3, 4, 5]) + likert_q(3, [1, 2, 3, 4, 4]))
    result = quality.duplicates(df)
    assert set(result) == {1, 2}
    assert "#2" in result[1] and "#1" in result[2]


def test_too_fast_skips_excel_imports():
    t0 = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
    meta = pd.DataFrame(
        [
            (1, 1, "staff", t0, t0 + datetime.timedelta(seconds=30)),  # 10 answers in 30 s: too fast
            (2, 1, "staff", t0, t0 + datetime.timedelta(minutes=10)),
            (3, 1, "excel", t0, t0 + datetime.timedelta(seconds=1)),
            (4, 1, "link", t0, None),
        ],
        columns=["questionnaire_id", "group_id", "method", "created_at", "completed_at"],
    )
    counts = pd.Series({1: 10, 2: 10, 3: 10, 4: 10})
    assert set(quality.too_fast(meta, counts)) == {1}


def test_outlier_far_from_group_mean():
    rows = []
    for qid in range(1, 9):
        rows += likert_q(qid, [4, 4, 3, 4, 4])
    rows += likert_q(9, [1, 1, 1, 1, 2])
    result = quality.outliers(frame(rows))
    assert set(result) == {9}


def test_no_outliers_in_small_groups():
    assert quality.outliers(frame(likert_q(1, [5] * 5) + likert_q(2, [1] * 5))) == {}


def test_variable_jumps_over_25_points():
    result = quality.variable_jumps(
        {"Hukum": 70.0, "Kewilayahan": 50.0}, {"Hukum": 40.0, "Kewilayahan": 30.0}
    )
    assert set(result) == {"Hukum"}
    assert "+30.0" in result["Hukum"]
    assert quality.variable_jumps({"Hukum": 70.0}, None) == {}


def test_flags_for_merges_per_questionnaire():
    df = frame(likert_q(1, [3] * 6) + likert_q(2, [3] * 6))
    meta = pd.DataFrame(columns=["questionnaire_id", "group_id", "method", "created_at", "completed_at"])
    flags = quality.flags_for(df, meta)
    assert {f.code for f in flags[1]} == {"straight_lining", "duplicate"}
