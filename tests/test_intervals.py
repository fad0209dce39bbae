"""scoring.intervals' bootstrap (pure, no database): a hand-computed case with a fixed seed, the engine's
point estimate from all-ones counts, and properties (inside, shrinking, zero width, reproducible,
coverage near 95 %)."""

import numpy as np
import pandas as pd
import pytest

from assessments import answer_frame
from scoring import engine, intervals
from scoring.engine import BandSpec, InstrumentFrames
from tests.test_scoring import HAND, frames
from tests.test_scoring import answers as answer_rows

FOUR_SCALE = BandSpec(kind="fixed", labels=("A", "B"), uppers=(2.5, 4), scale_min=1, scale_max=4, decimals=3)
G1, G2 = 1, 2


def tiny_frames(bands: BandSpec = FOUR_SCALE) -> InstrumentFrames:
    """Two questions (q1 weight 1 in indicator 1 of variable 1, q2 weight 3 in indicator 2 of variable 2,
    variable weights 1 and 1), both asked of both groups, yes/no scored 0/1."""
    return InstrumentFrames(
        questions=pd.DataFrame(
            [(1, 1, "yesno", 1.0), (2, 2, "yesno", 3.0)],
            columns=["question_id", "indicator_id", "kind", "weight"],
        ),
        indicators=pd.DataFrame(
            [(1, 1, 1.0), (2, 2, 1.0)], columns=["indicator_id", "variable_id", "weight"]
        ),
        variables=pd.DataFrame([(1, 1.0), (2, 1.0)], columns=["variable_id", "weight"]),
        options=pd.DataFrame(
            [(q, v, v) for q in (1, 2) for v in (0, 1)], columns=["question_id", "value", "score"]
        ).astype({"value": float, "score": float}),
        asked=pd.DataFrame([(q, g) for q in (1, 2) for g in (G1, G2)], columns=["question_id", "group_id"]),
        groups=pd.DataFrame([(G1, 3), (G2, 3)], columns=["group_id", "min_quota"]),
        bands=bands,
    )


# 2 groups x 3 questionnaires x 2 questions; questionnaire 13 leaves q2 unanswered.
TINY = {
    G1: {11: (1, 1), 12: (0, 1), 13: (1, None)},
    G2: {21: (0, 0), 22: (1, 0), 23: (0, 1)},
}


def tiny_answers(collection_id: int = 7, data=TINY) -> pd.DataFrame:
    rows = [
        (collection_id, qn, g, q, v)
        for g, questionnaires in data.items()
        for qn, values in questionnaires.items()
        for q, v in zip((1, 2), values, strict=True)
        if v is not None
    ]
    return answer_rows(rows)


def by_hand(collection_id: int, replicates: int, seed: int) -> np.ndarray:
    """The replicates computed the long way: the same rng draws questionnaires per group (the groups in
    the instrument's order, questionnaires by id), then the engine's method in plain Python."""
    rng = np.random.default_rng([seed, collection_id])
    draws = {g: rng.integers(0, 3, size=(replicates, 3)) for g in (G1, G2)}
    out = []
    for r in range(replicates):
        question = {}
        for q in (0, 1):
            group_means = []
            for g in (G1, G2):
                ids = sorted(TINY[g])
                values = [TINY[g][ids[i]][q] for i in draws[g][r]]
                values = [v for v in values if v is not None]
                if values:
                    group_means.append(sum(values) / len(values))
            question[q] = 100 * sum(group_means) / len(group_means)
        out.append((question[0] + question[1]) / 2)  # one question per variable, variables weigh 1:1
    return np.array(out)


def test_hand_computed_replicates_and_interval():
    boot = intervals.bootstrap(tiny_answers(), tiny_frames(), replicates=40, seed=5)
    expected = by_hand(7, 40, 5)
    assert boot.overall[0] == pytest.approx(expected)
    assert len(set(np.round(expected, 6))) > 5  # the draws really differ between replicates
    ci = intervals.ci_records(boot, {1: "V1", 2: "V2"}, FOUR_SCALE)[7]
    lo, hi = np.percentile(expected, [2.5, 97.5])
    assert ci["overall"] == pytest.approx([round(lo, 4), round(hi, 4)])
    assert ci["reported"] == pytest.approx([round(1 + 3 * lo / 100, 3), round(1 + 3 * hi / 100, 3)])
    assert (ci["replicates"], ci["seed"], ci["level"]) == (40, 5, 0.95)
    assert set(ci["variables"]) == {"V1", "V2"}


def test_resample_counts_rows_sum_to_n():
    counts = intervals.resample_counts(np.random.default_rng(1), 7, 500)
    assert counts.shape == (500, 7)
    assert (counts.sum(axis=1) == 7).all()
    assert counts.mean() == pytest.approx(1.0)
    assert (counts == 0).any()  # with replacement: some questionnaires are left out of some replicates


def ones(rng, n, replicates):
    return np.ones((replicates, n))


@pytest.mark.parametrize("case", ["tiny", "hand"])
def test_all_ones_counts_reproduce_the_engine(case):
    frame, instrument = (tiny_answers(), tiny_frames()) if case == "tiny" else (answer_rows(HAND), frames())
    point = engine.score(frame, instrument)
    boot = intervals.bootstrap(frame, instrument, replicates=3, resample=ones)
    overall = point.overall["overall"]
    for k, cid in enumerate(boot.collections):
        assert boot.overall[k] == pytest.approx([overall[cid]] * 3)
        variables = point.variables[point.variables["collection_id"] == cid].set_index("variable_id")["score"]
        for j, vid in enumerate(boot.variable_ids):
            assert boot.variables[k, 0, j] == pytest.approx(variables[vid])


def test_the_point_estimate_lies_inside_its_interval():
    frame, instrument = answer_rows(HAND), frames()
    point = engine.score(frame, instrument).overall["overall"]
    boot = intervals.bootstrap(frame, instrument, replicates=300)
    ci = intervals.ci_records(boot, {1: "V1", 2: "V2"}, instrument.bands)
    for cid, record in ci.items():
        lo, hi = record["overall"]
        assert lo <= point[cid] + 1e-9 <= hi + 2e-9 and hi > lo


def population(n: int, seed: int) -> dict:
    """A kab/kota's questionnaires with mixed answers (some q2 left out)."""
    rng = np.random.default_rng(seed)
    out = {}
    for g, base in ((G1, 100), (G2, 200)):
        out[g] = {
            base + i: (int(rng.random() < 0.6), None if rng.random() < 0.1 else int(rng.random() < 0.3))
            for i in range(n)
        }
    return out


def duplicated(data: dict, times: int) -> dict:
    return {
        g: {qn * 10 + t: v for qn, v in questionnaires.items() for t in range(times)}
        for g, questionnaires in data.items()
    }


def test_intervals_shrink_when_the_questionnaires_are_duplicated():
    base = population(12, 3)
    width = {}
    for times in (1, 4):
        boot = intervals.bootstrap(tiny_answers(7, duplicated(base, times)), tiny_frames(), replicates=400)
        lo, hi = intervals.percentile_interval(boot.overall)[0]
        width[times] = hi - lo
    # The same answers, four times the sample: about half the width (1/sqrt(4)).
    assert 0.35 < width[4] / width[1] < 0.65


def test_identical_answers_give_a_zero_width_interval():
    same = {G1: dict.fromkeys(range(1, 6), (1, 0)), G2: dict.fromkeys(range(10, 14), (0, 1))}
    boot = intervals.bootstrap(tiny_answers(7, same), tiny_frames(), replicates=200)
    ci = intervals.ci_records(boot, {1: "V1", 2: "V2"}, FOUR_SCALE)[7]
    assert ci["overall"] == [50.0, 50.0]
    assert ci["variables"] == {"V1": [50.0, 50.0], "V2": [50.0, 50.0]}


def test_alone_or_in_a_chunk_gives_identical_replicates():
    chunk = pd.concat(
        [tiny_answers(cid, population(8, cid)) for cid in (3, 7, 11)], ignore_index=True
    ).sample(frac=1.0, random_state=1)  # row order must not matter either
    together = intervals.bootstrap(chunk, tiny_frames(), replicates=100)
    alone = intervals.bootstrap(tiny_answers(7, population(8, 7)), tiny_frames(), replicates=100)
    k = list(together.collections).index(7)
    assert np.array_equal(together.overall[k], alone.overall[0])
    again = intervals.bootstrap(chunk, tiny_frames(), replicates=100)
    assert np.array_equal(again.overall, together.overall)
    other_seed = intervals.bootstrap(chunk, tiny_frames(), replicates=100, seed=99)
    assert not np.array_equal(other_seed.overall, together.overall)


def test_replicates_round_trip_as_float32_bytes():
    values = np.array([12.5, 99.25, 0.0])
    data = intervals.replicates_bytes(values)
    assert len(data) == 12
    assert intervals.replicates_from_bytes(memoryview(data)) == pytest.approx(values)


def test_coverage_near_95_percent():
    """A known population per group; 200 samples of 40 + 40 questionnaires each: the share of intervals
    that cover the population's index lands near 95 %."""
    rng = np.random.default_rng(2026)
    size = 4000
    p1 = rng.beta(2, 2, size=(2, size))  # each respondent's propensity to say yes, per group
    pop = {g: (rng.random((size, 2)) < p1[i][:, None]).astype(int) for i, g in enumerate((G1, G2))}
    truth_q = [np.mean([pop[g][:, q].mean() for g in (G1, G2)]) for q in (0, 1)]
    truth = 100 * (truth_q[0] + truth_q[1]) / 2
    samples, n = 200, 40
    rows = []
    for s in range(samples):
        for g, base in ((G1, 0), (G2, 50)):
            picks = rng.integers(0, size, n)
            for i, p in enumerate(picks):
                qn = s * 1000 + base + i
                rows += [(s, qn, g, 1, pop[g][p, 0]), (s, qn, g, 2, pop[g][p, 1])]
    frame = pd.DataFrame(rows, columns=answer_frame.ANSWER_COLUMNS).astype({"value": float})
    boot = intervals.bootstrap(frame, tiny_frames(), replicates=500)
    ci = intervals.percentile_interval(boot.overall)
    covered = ((ci[:, 0] <= truth) & (truth <= ci[:, 1])).mean()
    assert 0.88 <= covered <= 0.99
