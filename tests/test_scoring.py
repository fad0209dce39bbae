"""The pure scoring engine: hand-computed cases, band edges of each shipped scheme, relative bands,
and properties (hypothesis). No database."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import answer_frame
from scoring import engine
from scoring.engine import BandSpec, InstrumentFrames

FIVE = BandSpec(
    kind="fixed",
    labels=("Tidak Tanggap", "Kurang Tanggap", "Cukup Tanggap", "Tanggap", "Sangat Tanggap"),
    uppers=(20, 40, 60, 80, 100),
)
FOUR = BandSpec(
    kind="fixed",
    labels=("Tidak Tanggap", "Cukup Tanggap", "Tanggap", "Sangat Tanggap"),
    uppers=(25, 50, 75, 100),
)
RELATIVE_1_4 = BandSpec(
    kind="relative",
    labels=("Cukup Tanggap", "Tanggap", "Sangat Tanggap"),
    scale_min=1,
    scale_max=4,
    decimals=3,
)

KELUARGA, INSTANSI = 1, 2
LIKERT = [(v, v - 1) for v in range(1, 6)]


def frames(bands: BandSpec = FIVE) -> InstrumentFrames:
    """V1 (weight 1): I1 (w 1) = q10 Likert (both groups), q11 yes/no (keluarga);
    I2 (w 2) = q12 choice scored 0,1,2,3 (keluarga, optional).
    V2 (weight 3): I3 (w 1) = q13 number thresholds 0->0, 1->1, 5->2 (instansi), q14 Likert weight 2."""
    questions = pd.DataFrame(
        [
            (10, 1, "likert", 1.0),
            (11, 1, "yesno", 1.0),
            (12, 2, "choice", 1.0),
            (13, 3, "number", 1.0),
            (14, 3, "likert", 2.0),
        ],
        columns=["question_id", "indicator_id", "kind", "weight"],
    )
    options = [(10, v, s) for v, s in LIKERT] + [(14, v, s) for v, s in LIKERT]
    options += [(11, 1, 1), (11, 0, 0), (12, 0, 0), (12, 1, 1), (12, 2, 2), (12, 3, 3)]
    options += [(13, 0, 0), (13, 1, 1), (13, 5, 2)]
    return InstrumentFrames(
        questions=questions,
        indicators=pd.DataFrame(
            [(1, 1, 1.0), (2, 1, 2.0), (3, 2, 1.0)], columns=["indicator_id", "variable_id", "weight"]
        ),
        variables=pd.DataFrame([(1, 1.0), (2, 3.0)], columns=["variable_id", "weight"]),
        options=pd.DataFrame(options, columns=["question_id", "value", "score"]).astype({"value": float}),
        asked=pd.DataFrame(
            [(10, KELUARGA), (10, INSTANSI), (11, KELUARGA), (12, KELUARGA), (13, INSTANSI), (14, INSTANSI)],
            columns=["question_id", "group_id"],
        ),
        groups=pd.DataFrame([(KELUARGA, 2), (INSTANSI, 1)], columns=["group_id", "min_quota"]),
        bands=bands,
    )


def answers(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=answer_frame.ANSWER_COLUMNS).astype({"value": float})


HAND = [
    # collection 1: two families, one institution
    (1, 100, KELUARGA, 10, 5),
    (1, 100, KELUARGA, 11, 1),
    (1, 100, KELUARGA, 12, 3),
    (1, 101, KELUARGA, 10, 1),
    (1, 101, KELUARGA, 11, 0),  # q12 left out: optional
    (1, 102, INSTANSI, 10, 4),
    (1, 102, INSTANSI, 13, 7),
    (1, 102, INSTANSI, 14, 2),
]


def test_hand_computed_collection():
    result = engine.score(answers(HAND), frames())
    q = result.questions.set_index("question_id")["score"]
    # q10: family mean (1 + 0) / 2 = 0.5, institution 0.75; groups count equally -> 0.625
    assert q[10] == pytest.approx(62.5)
    assert q[11] == pytest.approx(50.0)
    assert q[12] == pytest.approx(100.0)  # the one family that answered the optional question
    assert q[13] == pytest.approx(100.0)  # 7 is in the 5+ band, the top score
    assert q[14] == pytest.approx(25.0)
    ind = result.indicators.set_index("indicator_id")["score"]
    assert ind[1] == pytest.approx(56.25)
    assert ind[2] == pytest.approx(100.0)
    assert ind[3] == pytest.approx((100 + 2 * 25) / 3)
    var = result.variables.set_index("variable_id")["score"]
    assert var[1] == pytest.approx((56.25 + 2 * 100) / 3)
    assert var[2] == pytest.approx(50.0)
    row = result.overall.loc[1]
    assert row["overall"] == pytest.approx(((56.25 + 200) / 3 + 3 * 50) / 4)  # 58.854...
    assert row["reported"] == 58.85
    assert row["category"] == "Cukup Tanggap"
    assert bool(row["quota_met"]) is True
    assert row["respondents"] == 3


def test_groups_count_equally_not_by_sample_size():
    # 30 families answer q10 with 5, one institution with 1: pooled mean would be ~96.8.
    rows = [(1, 1000 + i, KELUARGA, 10, 5) for i in range(30)] + [(1, 2000, INSTANSI, 10, 1)]
    q = engine.score(answers(rows), frames()).questions.set_index("question_id")["score"]
    assert q[10] == pytest.approx(50.0)


def test_each_kind_maps_to_unit_interval():
    rows = [
        (1, 1, KELUARGA, 10, 4),  # Likert 4 -> 3/4
        (1, 1, KELUARGA, 11, 0),  # no -> 0
        (1, 1, KELUARGA, 12, 2),  # choice score 2 of 3
        (1, 2, INSTANSI, 13, 0.5),  # below the 1 threshold -> band 0
        (2, 3, INSTANSI, 13, 1),  # exactly on a threshold -> that band
        (3, 4, INSTANSI, 13, -3),  # below every threshold -> 0
    ]
    s = engine.answer_scores(answers(rows), frames())
    assert list(s) == pytest.approx([0.75, 0.0, 2 / 3, 0.0, 0.5, 0.0])


def test_value_without_option_and_unasked_question_are_not_counted():
    rows = [
        (1, 1, KELUARGA, 10, 9),  # no such Likert level
        (1, 1, KELUARGA, 11, 1),
        (1, 2, INSTANSI, 11, 0),  # yes/no is not asked of institutions
    ]
    q = engine.score(answers(rows), frames()).questions.set_index("question_id")["score"]
    assert 10 not in q.index
    assert q[11] == pytest.approx(100.0)


def test_excluded_questionnaires_are_left_out_by_the_caller():
    # The engine scores what it is given; the loaders drop excluded questionnaires. Leaving one out
    # gives the same result as never having had it.
    base = engine.score(answers(HAND), frames()).overall["overall"]
    extra = [*HAND, (1, 999, KELUARGA, 10, 1), (1, 999, KELUARGA, 11, 0)]
    with_extra = engine.score(answers(extra), frames()).overall["overall"]
    assert with_extra[1] < base[1]
    without = [r for r in extra if r[1] != 999]
    assert engine.score(answers(without), frames()).overall["overall"][1] == pytest.approx(base[1])


def test_quota_status_lists_every_group():
    rows = [(1, 1, KELUARGA, 10, 5), (1, 1, KELUARGA, 11, 1)]
    result = engine.score(answers(rows), frames())
    groups = result.groups.set_index("group_id")
    assert groups.loc[KELUARGA, "respondents"] == 1 and not groups.loc[KELUARGA, "met"]
    assert groups.loc[INSTANSI, "respondents"] == 0 and not groups.loc[INSTANSI, "met"]
    assert bool(result.overall.loc[1, "quota_met"]) is False


def test_many_collections_in_one_pass_equal_one_at_a_time():
    rows = [*HAND, *[(2, 200 + i, KELUARGA, 10, 1 + i % 5) for i in range(7)], (2, 300, INSTANSI, 14, 5)]
    together = engine.score(answers(rows), frames()).overall["overall"]
    for cid in (1, 2):
        alone = engine.score(answers([r for r in rows if r[0] == cid]), frames()).overall["overall"]
        assert alone[cid] == pytest.approx(together[cid])


@pytest.mark.parametrize(
    "value,label",
    [
        (0.0, "Tidak Tanggap"),
        (20.0, "Tidak Tanggap"),
        (20.01, "Kurang Tanggap"),
        (59.999, "Cukup Tanggap"),  # rounds to 60.00
        (60.0, "Cukup Tanggap"),
        (60.004, "Cukup Tanggap"),
        (60.01, "Tanggap"),
        (80.0, "Tanggap"),
        (80.01, "Sangat Tanggap"),
        (100.0, "Sangat Tanggap"),
    ],
)
def test_five_band_edges(value, label):
    assert engine.fixed_categories(pd.Series([value]), FIVE)[0] == label


@pytest.mark.parametrize(
    "value,label",
    [
        (25.0, "Tidak Tanggap"),
        (25.01, "Cukup Tanggap"),
        (50.0, "Cukup Tanggap"),
        (50.01, "Tanggap"),
        (75.0, "Tanggap"),
        (75.01, "Sangat Tanggap"),
    ],
)
def test_four_band_edges(value, label):
    assert engine.fixed_categories(pd.Series([value]), FOUR)[0] == label


def test_reported_on_a_one_to_four_scale():
    assert list(engine.reported(pd.Series([0.0, 50.0, 100.0, 68.9]), RELATIVE_1_4)) == [1.0, 2.5, 4.0, 3.067]


def test_relative_bands_from_2600_to_4000():
    values = pd.Series([2.600, 3.064, 3.07, 3.532, 3.533, 4.000])
    assert engine.relative_edges(values, RELATIVE_1_4) == [3.067, 3.533]
    assert list(engine.relative_categories(values, RELATIVE_1_4)) == [
        "Cukup Tanggap",
        "Cukup Tanggap",
        "Tanggap",  # Garut 2023: 3.07, Tanggap
        "Tanggap",
        "Sangat Tanggap",
        "Sangat Tanggap",
    ]


def test_relative_category_moves_when_another_score_moves_the_edges():
    values = pd.Series([2.6, 3.2, 3.9], index=["a", "b", "c"])
    assert engine.relative_categories(values, RELATIVE_1_4)["b"] == "Tanggap"
    values["a"] = 3.0  # the lowest kab/kota improves: edges move to 3.333 and 3.667
    assert engine.relative_categories(values, RELATIVE_1_4)["b"] == "Cukup Tanggap"


def test_relative_bands_to_the_observed_top():
    bands = BandSpec(**{**RELATIVE_1_4.__dict__, "relative_top": "observed_max"})
    values = pd.Series([2.0, 2.5, 3.0])
    assert engine.relative_edges(values, bands) == [2.333, 2.667]
    assert list(engine.relative_categories(values, bands)) == ["Cukup Tanggap", "Tanggap", "Sangat Tanggap"]


def test_scoring_one_scheme_kind_relative_leaves_category_for_the_period_pass():
    result = engine.score(answers(HAND), frames(RELATIVE_1_4))
    assert result.overall.loc[1, "category"] == ""
    assert 1 <= result.overall.loc[1, "reported"] <= 4


# --- properties ---------------------------------------------------------------------------------------

VALUES = {10: [1, 2, 3, 4, 5], 11: [0, 1], 12: [0, 1, 2, 3], 13: [0, 1, 5], 14: [1, 2, 3, 4, 5]}
ASKED = {KELUARGA: [10, 11, 12], INSTANSI: [10, 13, 14]}


@st.composite
def survey(draw):
    rows = []
    for qn in range(draw(st.integers(1, 8))):
        collection = draw(st.integers(1, 3))
        grp = draw(st.sampled_from([KELUARGA, INSTANSI]))
        for question in ASKED[grp]:
            if question == 12 and draw(st.booleans()):
                continue  # the optional question, sometimes unanswered
            value = draw(st.sampled_from(VALUES[question]))
            if question == 13:
                value = value + draw(st.sampled_from([0, 0.5, 3]))  # numbers between thresholds
            rows.append((collection, qn, grp, question, value))
    return answers(rows)


def _all_scores(result) -> pd.Series:
    ind = result.indicators.set_index(["collection_id", "indicator_id"])["score"]
    ind.index = [("i", *k) for k in ind.index]
    var = result.variables.set_index(["collection_id", "variable_id"])["score"]
    var.index = [("v", *k) for k in var.index]
    ov = result.overall["overall"].copy()
    ov.index = [("o", k, 0) for k in ov.index]
    return pd.concat([ind, var, ov]).sort_index()


@settings(max_examples=30, deadline=None)
@given(survey())
def test_scores_stay_within_0_and_100(data):
    result = engine.score(data, frames())
    values = _all_scores(result).to_numpy()
    assert np.all((values >= 0) & (values <= 100))
    assert np.all(result.questions["score"].between(0, 100))


@settings(max_examples=30, deadline=None)
@given(survey(), st.data())
def test_a_better_answer_never_lowers_a_score(data, pick):
    before = _all_scores(engine.score(data, frames()))
    i = pick.draw(st.integers(0, len(data) - 1))
    question, value = int(data.at[i, "question_id"]), float(data.at[i, "value"])
    better = [v for v in VALUES[question] if v > value]
    if not better:
        return
    improved = data.copy()
    improved.at[i, "value"] = float(pick.draw(st.sampled_from(better)))
    after = _all_scores(engine.score(improved, frames()))
    assert list(after.index) == list(before.index)
    assert np.all(after.to_numpy() >= before.to_numpy() - 1e-9)


@settings(max_examples=30, deadline=None)
@given(survey(), st.randoms())
def test_permuting_rows_changes_nothing(data, rnd):
    order = list(range(len(data)))
    rnd.shuffle(order)
    a = _all_scores(engine.score(data, frames()))
    b = _all_scores(engine.score(data.iloc[order].reset_index(drop=True), frames()))
    pd.testing.assert_series_equal(a, b, check_exact=False, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(survey())
def test_duplicating_every_questionnaire_changes_nothing(data):
    copy = data.assign(questionnaire_id=data["questionnaire_id"] + 10_000)
    a = _all_scores(engine.score(data, frames()))
    b = _all_scores(engine.score(pd.concat([data, copy], ignore_index=True), frames()))
    pd.testing.assert_series_equal(a, b, check_exact=False, rtol=1e-12)


def test_option_scores_use_the_options_alone():
    f = frames()
    # q11 is not asked of institutions, but its value still has an option score; 9 is no Likert level.
    got = answer_frame.option_scores([11, 10, 13, 10], [1, 4, 7, 9], f.questions, f.options)
    assert list(got[:3]) == pytest.approx([1.0, 0.75, 1.0])
    assert np.isnan(got[3])
