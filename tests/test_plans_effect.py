"""plans.effect: the change of actioned vs other indicators after a plan, beside the national change.
Hand-computed cases and properties on plain dicts. No database."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plans.effect import (
    CAVEAT,
    NO_BASE,
    NO_NEXT,
    PlanFacts,
    national_changes,
    plan_effects,
    pooled_effect,
    score_frame,
)

# Kab/kota A has the plan; B has none; C is scored in 2025 only, so it is in no 2024 -> 2025 figure.
SCORES = {
    "A": {
        2024: {"I1": 40.0, "I2": 50.0, "I3": 60.0, "I4": 70.0},
        2025: {"I1": 46.0, "I2": 53.0, "I3": 61.0, "I4": 70.0},
    },
    "B": {
        2024: {"I1": 50.0, "I2": 50.0, "I3": 50.0, "I4": 50.0},
        2025: {"I1": 52.0, "I2": 48.0, "I3": 53.0, "I4": 51.0},
    },
    "C": {2025: {"I1": 0.0, "I2": 0.0, "I3": 100.0, "I4": 100.0}},
}


def plan(regency, year, *codes):
    return PlanFacts(regency=regency, year=year, actioned=frozenset(codes))


def test_hand_computed_card():
    # A's changes: I1 +6, I2 +3 (actioned); I3 +1, I4 0 (not).
    # with = (6 + 3) / 2 = 4.5; without = (1 + 0) / 2 = 0.5; difference = 4.0.
    # National (A and B, both scored in 2024 and 2025; C is not): I1 mean(6, 2) = 4, I2 mean(3, -2) = 0.5,
    # I3 mean(1, 3) = 2, I4 mean(0, 1) = 0.5 -> with (4 + 0.5) / 2 = 2.25, without (2 + 0.5) / 2 = 1.25.
    [effect] = plan_effects([plan("A", 2024, "I1", "I2")], SCORES)
    assert (effect.regency, effect.year_from, effect.year_to, effect.reason) == ("A", 2024, 2025, None)
    assert effect.compared
    assert effect.with_change == pytest.approx(4.5)
    assert effect.without_change == pytest.approx(0.5)
    assert effect.difference == pytest.approx(4.0)
    assert (effect.n_with, effect.n_without) == (2, 2)
    assert effect.national_with == pytest.approx(2.25)
    assert effect.national_without == pytest.approx(1.25)
    assert effect.national_regencies == 2
    assert effect.missing == ()
    assert effect.caveat == CAVEAT == "Asosiasi, bukan bukti sebab-akibat"


def test_national_changes_take_every_kab_kota_scored_in_both_years():
    # B has no plan and still counts; A (with a plan) counts; C (2025 only) cannot.
    table = national_changes(score_frame(SCORES), 2024, 2025).set_index("indicator")
    assert list(table.index) == ["I1", "I2", "I3", "I4"]
    assert list(table["change"]) == pytest.approx([4.0, 0.5, 2.0, 0.5])
    assert list(table["regencies"]) == [2, 2, 2, 2]


def test_national_includes_a_kab_kota_whose_own_plan_is_another_year():
    # D plans for 2025 (no 2026 score: nothing compared) but is scored in 2024 and 2025 on I1 (+10), so
    # A's national I1 becomes mean(6, 2, 10) = 6 -> with (6 + 0.5) / 2 = 3.25 over 3 kab/kota.
    scores = {**SCORES, "D": {2024: {"I1": 0.0}, 2025: {"I1": 10.0}}}
    a, d = plan_effects([plan("A", 2024, "I1", "I2"), plan("D", 2025, "I1")], scores)
    assert a.national_with == pytest.approx(3.25)
    assert a.national_without == pytest.approx(1.25)
    assert a.national_regencies == 3
    assert (d.year_to, d.reason) == (None, NO_NEXT)


def test_no_next_period_and_no_base_period_give_none_not_zero():
    later, earlier = plan_effects([plan("A", 2025, "I1"), plan("A", 2023, "I1")], SCORES)
    for effect, reason in ((later, NO_NEXT), (earlier, NO_BASE)):
        assert effect.reason == reason
        assert not effect.compared
        assert effect.year_to is None
        assert effect.with_change is None
        assert effect.without_change is None
        assert effect.difference is None
        assert effect.national_with is None
        assert (effect.n_with, effect.n_without) == (0, 0)


def test_next_scored_period_skips_an_unscored_year():
    # E is not scored in 2025: its plan of 2024 is compared with 2026, and so is the national change
    # (E and F are the kab/kota scored in 2024 and 2026; A and B are not scored in 2026).
    scores = {
        **SCORES,
        "E": {2024: {"I1": 10.0, "I2": 10.0}, 2026: {"I1": 30.0, "I2": 15.0}, 2027: {"I1": 0.0}},
        "F": {2024: {"I1": 20.0, "I2": 20.0}, 2025: {"I1": 99.0}, 2026: {"I1": 20.0, "I2": 25.0}},
    }
    [effect] = plan_effects([plan("E", 2024, "I1")], scores)
    # with = +20, without = +5; national I1 mean(20, 0) = 10, I2 mean(5, 5) = 5.
    assert (effect.year_from, effect.year_to) == (2024, 2026)
    assert (effect.with_change, effect.without_change, effect.difference) == pytest.approx((20, 5, 15))
    assert (effect.national_with, effect.national_without) == pytest.approx((10, 5))
    assert effect.national_regencies == 2


def test_an_indicator_missing_in_one_year_drops_out_and_is_named():
    # I2 (actioned) has no 2025 score and I4 (not actioned) a None score in 2024: both drop out.
    # with = I1 alone = +6; without = I3 alone = +1; difference 5. National of the same: I1 4, I3 2.
    scores = {
        "A": {
            2024: {"I1": 40.0, "I2": 50.0, "I3": 60.0, "I4": None},
            2025: {"I1": 46.0, "I3": 61.0, "I4": 70.0},
        },
        "B": SCORES["B"],
    }
    [effect] = plan_effects([plan("A", 2024, "I1", "I2", "I9")], scores)
    assert (effect.n_with, effect.n_without) == (1, 1)
    assert (effect.with_change, effect.without_change, effect.difference) == pytest.approx((6, 1, 5))
    assert (effect.national_with, effect.national_without) == pytest.approx((4, 2))
    assert effect.missing == ("I2", "I9")


def test_every_indicator_actioned_leaves_no_without_side():
    [effect] = plan_effects([plan("A", 2024, "I1", "I2", "I3", "I4")], SCORES)
    # with = (6 + 3 + 1 + 0) / 4 = 2.5; national (4 + 0.5 + 2 + 0.5) / 4 = 1.75.
    assert effect.with_change == pytest.approx(2.5)
    assert effect.national_with == pytest.approx(1.75)
    assert (effect.n_with, effect.n_without) == (4, 0)
    assert effect.without_change is None
    assert effect.national_without is None
    assert effect.difference is None


def test_no_completed_action_leaves_no_with_side():
    [effect] = plan_effects([plan("A", 2024)], SCORES)
    assert effect.with_change is None
    assert effect.difference is None
    assert effect.without_change == pytest.approx((6 + 3 + 1 + 0) / 4)


def pooled_scores():
    zero = dict.fromkeys(("I1", "I2", "I3", "I4"), 0.0)
    return {
        "R1": {2024: zero, 2025: {"I1": 10.0, "I2": 2.0, "I3": 2.0, "I4": 2.0}},
        "R2": {2024: zero, 2025: {"I1": 2.0, "I2": 2.0, "I3": 2.0, "I4": 10.0}},
        "R3": {2025: zero},
        "R4": {2024: zero, 2025: dict.fromkeys(("I1", "I2", "I3", "I4"), 6.0)},
    }


def test_pooled_weights_each_side_by_its_indicator_count():
    plans = [
        plan("R1", 2024, "I1"),  # with +10 (1), without +2 (3): ahead
        plan("R2", 2024, "I1", "I2", "I3"),  # with +2 (3), without +10 (1): behind
        plan("R3", 2025, "I1"),  # no next period: left out
        plan("R4", 2024, "I1", "I2", "I3", "I4"),  # with +6 (4), no without side
    ]
    pooled = pooled_effect(plan_effects(plans, pooled_scores()))
    # with = (1 * 10 + 3 * 2 + 4 * 6) / 8 = 40 / 8 = 5 (the unweighted mean of means would be 6);
    # without = (3 * 2 + 1 * 10) / 4 = 4; difference 1.
    assert pooled.with_change == pytest.approx(5.0)
    assert pooled.without_change == pytest.approx(4.0)
    assert pooled.difference == pytest.approx(1.0)
    # National per indicator over R1, R2, R4: I1 mean(10, 2, 6) = 6, I2 = I3 = 10/3, I4 = 6.
    # with pairs: R1 {I1}, R2 {I1, I2, I3}, R4 all -> (6 + 6 + 20/3 + 6 + 20/3 + 12) / 8 = 14/3;
    # without pairs: R1 {I2, I3, I4}, R2 {I4} -> (20/3 + 6 + 6) / 4 = 14/3.
    assert pooled.national_with == pytest.approx(14 / 3)
    assert pooled.national_without == pytest.approx(14 / 3)
    assert (pooled.plans, pooled.regencies, pooled.n_with, pooled.n_without) == (3, 3, 8, 4)
    assert (pooled.both_sides, pooled.with_ahead) == (2, 1)
    assert pooled.year_pairs == ((2024, 2025),)
    assert pooled.caveat == CAVEAT


def test_pooled_counts_a_kab_kota_with_two_plans_once():
    scores = {"A": {**SCORES["A"], 2026: {"I1": 50.0, "I2": 53.0, "I3": 61.0, "I4": 70.0}}}
    # 2024 -> 2025: with I1 +6, without I3 +1, I4 0, I2 +3; 2025 -> 2026: with I1 +4, without 0, 0, 0.
    pooled = pooled_effect(plan_effects([plan("A", 2024, "I1"), plan("A", 2025, "I1")], scores))
    assert (pooled.plans, pooled.regencies) == (2, 1)
    assert pooled.with_change == pytest.approx((6 + 4) / 2)
    assert pooled.without_change == pytest.approx((3 + 1 + 0 + 0 + 0 + 0) / 6)
    assert pooled.year_pairs == ((2024, 2025), (2025, 2026))


def test_nothing_compared_pools_to_none():
    pooled = pooled_effect(plan_effects([plan("A", 2025, "I1")], SCORES))
    assert (pooled.plans, pooled.regencies, pooled.n_with, pooled.n_without) == (0, 0, 0, 0)
    assert pooled.with_change is None
    assert pooled.without_change is None
    assert pooled.difference is None
    assert pooled.national_with is None


codes = [f"I{i}" for i in range(8)]
score = st.floats(min_value=0, max_value=100, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    start=st.lists(score, min_size=8, max_size=8),
    end=st.lists(score, min_size=8, max_size=8),
    other=st.lists(score, min_size=16, max_size=16),
    acted=st.sets(st.sampled_from(codes), min_size=1, max_size=7),
)
def test_swapping_actioned_and_other_indicators_flips_the_difference(start, end, other, acted):
    scores = {
        "A": {2024: dict(zip(codes, start, strict=True)), 2025: dict(zip(codes, end, strict=True))},
        "B": {2024: dict(zip(codes, other[:8], strict=True)), 2025: dict(zip(codes, other[8:], strict=True))},
    }
    rest = set(codes) - acted
    one, two = plan_effects([plan("A", 2024, *acted), plan("A", 2024, *rest)], scores)
    assert two.difference == pytest.approx(-one.difference, abs=1e-9)
    assert (two.with_change, two.without_change) == pytest.approx((one.without_change, one.with_change))
    assert (two.n_with, two.n_without) == (one.n_without, one.n_with)
    assert (two.national_with, two.national_without) == pytest.approx(
        (one.national_without, one.national_with)
    )


def test_national_scale_matches_a_direct_computation():
    # 514 kab/kota x 40 indicators x 2 years, half with a plan actioning the first k indicators.
    rng = np.random.default_rng(16)
    start, end = rng.uniform(0, 100, (514, 40)), rng.uniform(0, 100, (514, 40))
    names = [f"I{j}" for j in range(40)]
    scores = {
        f"R{i}": {2024: dict(zip(names, start[i], strict=True)), 2025: dict(zip(names, end[i], strict=True))}
        for i in range(514)
    }
    ks = rng.integers(1, 40, 257)
    plans = [plan(f"R{i}", 2024, *names[: ks[i]]) for i in range(257)]
    effects = plan_effects(plans, scores)
    change = end - start
    acted = [change[i, : ks[i]] for i in range(257)]
    others = [change[i, ks[i] :] for i in range(257)]
    assert [e.with_change for e in effects] == pytest.approx([a.mean() for a in acted])
    assert [e.without_change for e in effects] == pytest.approx([o.mean() for o in others])
    national = change.mean(axis=0)
    assert [e.national_with for e in effects] == pytest.approx([national[:k].mean() for k in ks])
    pooled = pooled_effect(effects)
    assert pooled.with_change == pytest.approx(np.concatenate(acted).mean())
    assert pooled.without_change == pytest.approx(np.concatenate(others).mean())
    assert (pooled.n_with, pooled.n_without) == (int(ks.sum()), int((40 - ks).sum()))
    assert {e.national_regencies for e in effects} == {514}
