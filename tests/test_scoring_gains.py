"""scoring.engine_gains: the overall points gained when one indicator's answers rise one level.
Hand-computed on the engine tests' instrument (tests.test_scoring.frames). No database."""

import pandas as pd
import pytest

from assessments import answer_frame
from scoring import engine
from scoring.engine_gains import gains_and_groups, group_scores, next_values, score_gains
from tests.test_scoring import INSTANSI, KELUARGA, RELATIVE_1_4, answers, frames

# One family (questionnaire 100) and one institution (102) of collection 7.
ROWS = [
    (7, 100, KELUARGA, 10, 3),  # Likert 3 -> 0.50; raised to 4 -> 0.75
    (7, 100, KELUARGA, 11, 0),  # no -> 0; raised to yes -> 1
    (7, 100, KELUARGA, 12, 1),  # choice 1 of 3 -> 1/3; raised to 2 -> 2/3
    (7, 102, INSTANSI, 10, 5),  # top Likert: stays
    (7, 102, INSTANSI, 13, 1),  # number in band 1 (1/2); raised to threshold 5 -> 1
    (7, 102, INSTANSI, 14, 4),  # Likert 4 -> 0.75; raised to 5 -> 1
]


def test_hand_computed_gains_sorted_highest_first():
    # Now: q10 = mean(50, 100) = 75, q11 = 0 -> I1 = 37.5; I2 = 33.33; V1 = (37.5 + 2 * 33.33) / 3;
    # I3 = (50 + 2 * 75) / 3 = 66.67 = V2; overall = (V1 + 3 * V2) / 4 = 58.68.
    # I1 raised: q10 = mean(75, 100) = 87.5, q11 = 100 -> I1 = 93.75: V1 +18.75 / 3 -> overall +4.6875.
    # I2 raised: 66.67: V1 +2 * 33.33 / 3 = 22.22 -> overall +5.5556.
    # I3 raised: q13 = q14 = 100 -> I3 = 100: V2 +33.33 -> overall +3 * 33.33 / 4 = 25.
    base = engine.score(answers(ROWS), frames()).overall.loc[7, "overall"]
    assert base == pytest.approx((37.5 + 2 * 100 / 3) / 3 / 4 + 3 * (200 / 3) / 4)

    out = score_gains(answers(ROWS), frames())
    assert list(out["indicator_id"]) == [3, 2, 1]
    assert list(out["gain"]) == pytest.approx([25.0, 50 / 9, 4.6875])
    assert list(out["answers_raised"]) == [2, 1, 2]
    by_id = out.set_index("indicator_id")
    assert by_id.loc[1, "score"] == pytest.approx(37.5)
    assert by_id.loc[1, "raised"] == pytest.approx(93.75)
    assert by_id.loc[3, "raised"] == pytest.approx(100.0)


def test_gain_is_what_the_engine_gives_for_the_raised_answers():
    raised = answers(ROWS)
    raised.loc[raised["question_id"] == 12, "value"] = 2.0
    expected = (
        engine.score(raised, frames()).overall.loc[7, "overall"]
        - engine.score(answers(ROWS), frames()).overall.loc[7, "overall"]
    )
    out = score_gains(answers(ROWS), frames()).set_index("indicator_id")
    assert out.loc[2, "gain"] == pytest.approx(expected)


def test_top_answers_stay_and_gain_nothing():
    top = [
        (7, 100, KELUARGA, 10, 5),
        (7, 100, KELUARGA, 11, 1),
        (7, 100, KELUARGA, 12, 3),
        (7, 102, INSTANSI, 13, 12),
        (7, 102, INSTANSI, 14, 5),
    ]
    out = score_gains(answers(top), frames())
    assert list(out["gain"]) == [0.0, 0.0, 0.0]
    assert list(out["answers_raised"]) == [0, 0, 0]


def test_next_values_one_level_up_per_kind():
    frame = answers(
        [
            (7, 100, KELUARGA, 10, 2),  # Likert 2 -> 3
            (7, 100, KELUARGA, 11, 1),  # yes is the top
            (7, 100, KELUARGA, 12, 7),  # matches no option: does not count, stays
            (7, 102, INSTANSI, 13, 0.5),  # band of threshold 0 -> threshold 1
            (7, 102, INSTANSI, 13, 3),  # band of threshold 1 -> threshold 5
            (7, 102, INSTANSI, 13, 40),  # top band: stays
        ]
    )
    assert list(next_values(frame, frames())) == [3, 1, 7, 1, 5, 40]


def test_answers_of_groups_not_asked_are_not_raised():
    # q11 is asked of families only; an institution's answer to it never counts.
    out = score_gains(answers([*ROWS, (7, 102, INSTANSI, 11, 0)]), frames()).set_index("indicator_id")
    assert out.loc[1, "answers_raised"] == 2


def test_gain_on_the_reported_scale():
    out = score_gains(answers(ROWS), frames(RELATIVE_1_4))
    assert out["gain_reported"].iloc[0] == pytest.approx(25.0 * 3 / 100)


def test_no_answers_gives_zero_gains_and_more_than_one_collection_is_refused():
    empty = score_gains(answer_frame.empty_answers(), frames())
    assert len(empty) == 3 and (empty["gain"] == 0).all()
    two = pd.concat([answers(ROWS), answers(ROWS).assign(collection_id=8)])
    with pytest.raises(ValueError):
        score_gains(two, frames())


def test_group_scores_score_each_group_alone():
    out = group_scores(answers(ROWS), frames()).set_index("group_id")
    # Family alone: q10 = 50, q11 = 0 -> I1 = 25; I2 = 33.33 -> V1 = (25 + 66.67) / 3 = 30.56; no V2.
    assert out.loc[KELUARGA, 1] == pytest.approx((25 + 2 * 100 / 3) / 3)
    assert pd.isna(out.loc[KELUARGA, 2])
    assert out.loc[KELUARGA, "overall"] == pytest.approx((25 + 2 * 100 / 3) / 3)
    # Institution alone: q10 = 100 -> I1 = V1 = 100; I3 = 66.67 = V2; overall = (100 + 3 * 66.67) / 4 = 75.
    assert out.loc[INSTANSI, 1] == pytest.approx(100.0)
    assert out.loc[INSTANSI, "overall"] == pytest.approx(75.0)
    assert out.loc[INSTANSI, "respondents"] == 1


def test_gains_and_groups_in_one_pass_equal_the_separate_functions():
    gains, groups = gains_and_groups(answers(ROWS), frames())
    pd.testing.assert_frame_equal(gains, score_gains(answers(ROWS), frames()))
    pd.testing.assert_frame_equal(groups, group_scores(answers(ROWS), frames()), check_dtype=False)
