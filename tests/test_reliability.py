"""scoring.reliability (pure): Cronbach's α on a hand-computed case, its properties (identical items give 1,
independent items give about 0), the item statistics, and the per-group matrices built from an answers
frame (missing by design: each group only over the questions it is asked, listwise)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import engine, reliability

# 4 questionnaires x 3 items (scores in [0, 1]).
HAND = np.array([[1.0, 1.0, 1.0], [0.75, 0.5, 0.75], [0.5, 0.5, 0.25], [0.0, 0.25, 0.0]])


def test_alpha_by_hand():
    # Item means .5625, .5625, .5; sums of squared deviations .546875, .296875, .625 -> Σ s²ᵢ = 1.46875/3.
    # Totals 3, 2, 1.25, .25 (mean 1.625): squared deviations sum to 4.0625 -> s²ₜ = 4.0625/3.
    # α = 3/2 · (1 − 1.46875/4.0625) = 3.890625/4.0625 = 0.95769...
    assert reliability.cronbach_alpha(HAND) == pytest.approx(3.890625 / 4.0625, abs=1e-12)


def test_item_statistics_by_hand():
    r, deleted = reliability.item_statistics(HAND)
    # Item 1 (deviations .4375, .1875, −.0625, −.5625) against the rest, items 2 + 3 = 2, 1.25, .75, .25
    # (mean 1.0625, deviations .9375, .1875, −.3125, −.8125): cross products sum to .921875, squares to
    # .546875 and 1.671875, so r = .921875 / √(.546875 · 1.671875) = 0.96411.
    assert r[0] == pytest.approx(0.921875 / np.sqrt(0.546875 * 1.671875))
    assert r[0] == pytest.approx(0.96411, abs=1e-5)
    # α without item 1 is α of items 2 and 3: 2 · (1 − (s²₂ + s²₃)/s²(2+3)) = 2 · (1 − .921875/1.671875).
    assert deleted[0] == pytest.approx(2 * (1 - 0.921875 / 1.671875))
    for i in range(3):
        assert deleted[i] == pytest.approx(reliability.cronbach_alpha(np.delete(HAND, i, axis=1)))


def test_identical_items_give_one():
    column = np.array([0.0, 0.25, 0.5, 1.0, 0.75])
    assert reliability.cronbach_alpha(np.column_stack([column] * 4)) == pytest.approx(1.0)


def test_independent_items_give_about_zero():
    rng = np.random.default_rng(17)
    x = rng.integers(0, 5, size=(5000, 6)) / 4
    assert abs(reliability.cronbach_alpha(x)) < 0.05


def test_undefined_cases_are_none():
    assert reliability.cronbach_alpha(np.ones((10, 3))) is None  # constant total
    assert reliability.cronbach_alpha(HAND[:2]) is None  # n < 3
    assert reliability.cronbach_alpha(HAND[:, :1]) is None  # k < 2


def _frames() -> engine.InstrumentFrames:
    """Variable 1: questions 11, 12, 13 (group 1 is asked all three, group 2 only 11 and 12); variable 2:
    question 21 (group 2). Likert 1-5 scored 0..4."""
    questions = pd.DataFrame(
        {"question_id": [11, 12, 13, 21], "indicator_id": [1, 1, 1, 2], "kind": "likert", "weight": 1.0}
    )
    options = pd.DataFrame(
        [(q, v, v - 1) for q in (11, 12, 13, 21) for v in range(1, 6)],
        columns=["question_id", "value", "score"],
    ).astype({"value": "float64", "score": "float64"})
    return engine.InstrumentFrames(
        questions=questions,
        indicators=pd.DataFrame({"indicator_id": [1, 2], "variable_id": [1, 2], "weight": 1.0}),
        variables=pd.DataFrame({"variable_id": [1, 2], "weight": 1.0}),
        options=options,
        asked=pd.DataFrame({"question_id": [11, 12, 13, 11, 12, 21], "group_id": [1, 1, 1, 2, 2, 2]}),
        groups=pd.DataFrame({"group_id": [1, 2], "min_quota": 1}),
        bands=engine.BandSpec(kind="fixed", labels=("a",)),
    )


def _answers(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["collection_id", "questionnaire_id", "group_id", "question_id", "value"]
    )


def test_group_matrices_and_reliability_by_group():
    # Group 1: HAND as Likert values (score·4 + 1), plus a questionnaire missing item 13 (left out
    # listwise) and an answer of group 1 to question 21, which it is not asked (ignored).
    rows = []
    for qn, scores in enumerate(HAND, start=1):
        rows += [(7, qn, 1, q, s * 4 + 1) for q, s in zip((11, 12, 13), scores, strict=True)]
    rows += [(8, 5, 1, 11, 5.0), (8, 5, 1, 12, 5.0), (8, 5, 1, 21, 1.0)]
    # Group 2: three questionnaires answering 11 and 12 identically.
    for qn, v in zip((6, 7, 9), (1.0, 3.0, 5.0), strict=True):
        rows += [(8, qn + 100, 2, 11, v), (8, qn + 100, 2, 12, v), (8, qn + 100, 2, 21, v)]
    matrices = reliability.group_matrices(_answers(rows), _frames(), {7: "35", 8: "15"})
    assert list(matrices[1].question_ids) == [11, 12, 13]
    assert matrices[1].scores.shape == (5, 3)
    assert list(matrices[1].province) == ["35"] * 4 + ["15"]
    result = reliability.reliability(matrices, _frames())
    by = result.variables.set_index(["variable_id", "group_id"])
    assert by.loc[(1, 1), "k"] == 3 and by.loc[(1, 1), "n"] == 4
    assert by.loc[(1, 1), "alpha"] == pytest.approx(3.890625 / 4.0625)
    assert by.loc[(1, 2), "alpha"] == pytest.approx(1.0) and by.loc[(1, 2), "n"] == 3
    assert (2, 2) not in by.index  # one question of variable 2: no α
    provinces = result.provinces.set_index(["province", "variable_id", "group_id"])
    assert provinces.loc[("35", 1, 1), "alpha"] == pytest.approx(3.890625 / 4.0625)
    assert provinces.loc[("15", 1, 2), "n"] == 3
    items = result.items[result.items.group_id == 1].set_index("question_id")
    assert items.loc[11, "r"] == pytest.approx(0.96411, abs=1e-5)
    # Without item 12, items 11 and 13: 2 · (1 − (.546875 + .625)/2.296875) = 0.9796 > α = 0.9577.
    assert items.loc[12, "alpha_if_deleted"] == pytest.approx(2 * (1 - 1.171875 / 2.296875))
    assert list(items["raises_alpha"]) == [False, True, False] and not items["low_r"].any()


def test_flags_an_item_that_lowers_alpha():
    rng = np.random.default_rng(3)
    trait = rng.random(400)
    good = np.column_stack([np.clip(trait + rng.normal(0, 0.1, 400), 0, 1) for _ in range(3)])
    noise = rng.random(400)
    x = np.column_stack([good, noise])
    alpha = reliability.cronbach_alpha(x)
    r, deleted = reliability.item_statistics(x)
    assert deleted[3] > alpha and r[3] < 0.3
    assert all(deleted[:3] < alpha) and all(r[:3] > 0.3)
