"""The bootstrap's uncertainty of the IKOTAN index and ranks: pure (numpy/pandas, no Django, no database).

Method (README, "Ketidakpastian"): within each kab/kota the counted questionnaires of each respondent
group are resampled WITH replacement, as many as the group has (the groups' quotas are the design), R
times (1,000 by default). Each replicate is scored exactly by the engine's method (scoring.engine: a
question's score is the mean over the questionnaires of a group that answered it, then the mean of the
group means; weighted indicators, variables and overall with weights normalised over what has a score).
The 95 % interval is the 2.5 and 97.5 percentiles of the replicates. Vectorised: a replicate is a
resample-count row, so a group's R replicates are one matrix product of the (R x n_g) counts with the
group's (n_g x questions) score and answered matrices.

Seeded per kab/kota (numpy.random.default_rng([seed, collection_id])), so a collection scored alone or in
a chunk of 514 gets identical replicates, and a recompute reproduces them.

rank_intervals() ranks every replicate of the ranked set (highest first, ties share the lowest rank, as the
ranking does) nationally and within each province. ranked_set_fingerprint() names the ranked set a
RankIntervals row was computed from, so a page compares it with the ranking it shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring import engine
from scoring.ranked import RANK_DECIMALS, ranked_mask

DEFAULT_REPLICATES = 1000
BASE_SEED = 17_2026  # issue 17, 2026: the seed of every stored interval (stored with it in Score.ci)
LEVEL = 0.95


def ranked_set_fingerprint(pairs: Iterable[tuple[int, str]]) -> str:
    """sha256 hex of the ranked set: "collection_id:input_hash" of each ranked score, sorted, one a line."""
    lines = sorted(f"{int(cid)}:{input_hash}" for cid, input_hash in pairs)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def ranked_frame_fingerprint(frame: pd.DataFrame) -> str:
    """The fingerprint of the ranked rows (scoring.ranked.ranked_mask) of a scores frame with collection_id
    and input_hash columns: what the rank task stores and what a page compares it with."""
    ranked = frame[ranked_mask(frame)]
    return ranked_set_fingerprint(
        zip(ranked["collection_id"].tolist(), ranked["input_hash"].tolist(), strict=True)
    )


# --- resampling -------------------------------------------------------------------------------------------


def resample_counts(rng: np.random.Generator, n: int, replicates: int) -> np.ndarray:
    """(replicates x n) how often each of n questionnaires is drawn when n are drawn with replacement:
    one row per replicate, each row sums to n (a multinomial with equal probabilities)."""
    draws = rng.integers(0, n, size=(replicates, n))
    offsets = (np.arange(replicates) * n)[:, None]
    return np.bincount((draws + offsets).ravel(), minlength=replicates * n).reshape(replicates, n)


Resampler = Callable[[np.random.Generator, int, int], np.ndarray]


@dataclass
class _Block:
    """One group of one collection, reduced to what a replicate needs: `matrix` (n_g x k+m) holds the
    summed answer scores of the k questions the group answered (`columns`), then the answer counts of the
    m of them whose count differs between questionnaires (`varying`, positions within `columns`); a
    question every questionnaire answered the same number of times c has c x n_g answers in every
    replicate (`counts`), so its product is skipped (the common case: one answer each)."""

    n: int
    matrix: np.ndarray
    columns: np.ndarray
    varying: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, sums: np.ndarray, counts: np.ndarray) -> _Block:
        columns = np.flatnonzero(counts.any(axis=0))
        sums, counts = sums[:, columns], counts[:, columns]
        varying = np.flatnonzero((counts != counts[0]).any(axis=0))
        matrix = np.ascontiguousarray(np.hstack([sums, counts[:, varying]]))
        return cls(len(sums), matrix, columns, varying, counts[0] * len(sums))


@dataclass
class _Design:
    """The counted questionnaires of each collection as blocks per group (in the instrument's group
    order; questionnaires by id within a group), and the collections in row order."""

    collections: np.ndarray
    groups: list[list[_Block]]
    n_questions: int


def _design(answers: pd.DataFrame, instrument: engine.InstrumentFrames) -> _Design:
    d = engine._dense(answers, instrument)
    n_q = len(d.question_ids)
    counted = ~np.isnan(d.s)
    coll = answers["collection_id"].to_numpy()[counted]
    gidx, qidx, s = d.gidx[counted], d.qidx[counted], d.s[counted]
    qn = answers["questionnaire_id"].to_numpy()[counted]
    order = np.lexsort((qn, gidx, coll))
    coll, gidx, qidx, s, qn = coll[order], gidx[order], qidx[order], s[order], qn[order]
    new_row = np.r_[True, qn[1:] != qn[:-1]] if len(qn) else np.zeros(0, dtype=bool)
    row = np.cumsum(new_row) - 1
    n_rows = int(new_row.sum())
    key = row * n_q + qidx
    sums = np.bincount(key, weights=s, minlength=n_rows * n_q).reshape(n_rows, n_q)
    counts = np.bincount(key, minlength=n_rows * n_q).reshape(n_rows, n_q).astype("float64")
    row_coll, row_group = coll[new_row], gidx[new_row]
    if not n_rows:
        return _Design(np.zeros(0, dtype="int64"), [], n_q)
    starts = np.flatnonzero(np.r_[True, row_coll[1:] != row_coll[:-1]])
    group_starts = np.flatnonzero(
        np.r_[True, (row_coll[1:] != row_coll[:-1]) | (row_group[1:] != row_group[:-1])]
    )
    bounds = np.r_[group_starts, n_rows]
    groups: list[list[_Block]] = [[] for _ in starts]
    collection_of_group = np.searchsorted(starts, group_starts, side="right") - 1
    for k, a, b in zip(collection_of_group.tolist(), bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        groups[k].append(_Block.of(sums[a:b], counts[a:b]))
    return _Design(row_coll[starts], groups, n_q)


@dataclass
class _Tree:
    """The instrument's aggregation: questions -> indicators -> variables -> overall (engine step 3)."""

    q_member: np.ndarray
    q_weight: np.ndarray
    i_member: np.ndarray
    i_weight: np.ndarray
    v_weight: np.ndarray
    n_indicators: int
    variable_ids: np.ndarray

    @classmethod
    def of(cls, instrument: engine.InstrumentFrames) -> _Tree:
        ind_ids = instrument.indicators["indicator_id"].to_numpy()
        var_ids = instrument.variables["variable_id"].to_numpy()
        return cls(
            q_member=pd.Index(ind_ids).get_indexer(instrument.questions["indicator_id"].to_numpy()),
            q_weight=instrument.questions["weight"].to_numpy("float64"),
            i_member=pd.Index(var_ids).get_indexer(instrument.indicators["variable_id"].to_numpy()),
            i_weight=instrument.indicators["weight"].to_numpy("float64"),
            v_weight=instrument.variables["weight"].to_numpy("float64"),
            n_indicators=len(ind_ids),
            variable_ids=var_ids,
        )

    def aggregate(self, question: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """[replicate, question] scores (0-100) -> ([replicate] overall, [replicate, variable])."""
        indicator = engine._weighted(question, self.q_member, self.q_weight, self.n_indicators)
        variable = engine._weighted(indicator, self.i_member, self.i_weight, len(self.variable_ids))
        zeros = np.zeros(len(self.variable_ids), dtype=int)
        return engine._weighted(variable, zeros, self.v_weight, 1)[:, 0], variable


def _question_replicates(design: _Design, k: int, counts: list[np.ndarray]) -> np.ndarray:
    """[replicate, question] scores (0-100) of collection k, given each group's resample counts: per
    group one matrix product gives every replicate's score sums (and varying answer counts), then the
    group means; a question's score is the mean of the means of the groups that answered it."""
    replicates = len(counts[0]) if counts else 0
    total = np.zeros((replicates, design.n_questions))
    answered = np.zeros((replicates, design.n_questions), dtype="int64")
    for block, w in zip(design.groups[k], counts, strict=True):
        m = w @ block.matrix
        k_cols = len(block.columns)
        if not len(block.varying):  # every questionnaire answered each of these questions alike
            total[:, block.columns] += m / block.counts
            answered[:, block.columns] += 1
            continue
        n = np.broadcast_to(block.counts, (replicates, k_cols)).copy()
        n[:, block.varying] = m[:, k_cols:]
        present = n > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            total[:, block.columns] += np.where(present, m[:, :k_cols] / n, 0.0)
        answered[:, block.columns] += present
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(answered > 0, total / answered, np.nan) * 100.0


@dataclass
class Bootstrap:
    """R replicates per collection: overall (C x R, 0-100) and variables (C x R x V, NaN where a replicate
    has no score for a variable), rows in the order of `collections`."""

    collections: np.ndarray
    overall: np.ndarray
    variables: np.ndarray
    variable_ids: np.ndarray
    replicates: int
    seed: int


def bootstrap(
    answers: pd.DataFrame,
    instrument: engine.InstrumentFrames,
    *,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = BASE_SEED,
    resample: Resampler = resample_counts,
) -> Bootstrap:
    """Bootstrap replicates of every collection in `answers` (the counted answers, as engine.score takes
    them). `resample` draws a group's counts; the default resamples with replacement (a test passes ones
    to get the engine's point estimate back)."""
    design = _design(answers, instrument)
    tree = _Tree.of(instrument)
    n_c, n_v = len(design.collections), len(tree.variable_ids)
    overall = np.full((n_c, replicates), np.nan)
    variables = np.full((n_c, replicates, n_v), np.nan)
    for k, cid in enumerate(design.collections.tolist()):
        rng = np.random.default_rng([seed, int(cid)])
        counts = [resample(rng, block.n, replicates).astype("float64") for block in design.groups[k]]
        overall[k], variables[k] = tree.aggregate(_question_replicates(design, k, counts))
    return Bootstrap(
        design.collections, np.clip(overall, 0.0, 100.0), variables, tree.variable_ids, replicates, seed
    )


# --- intervals --------------------------------------------------------------------------------------------


def percentile_interval(values: np.ndarray, level: float = LEVEL) -> np.ndarray:
    """[..., 2]: the (1-level)/2 and (1+level)/2 percentiles over the last axis (NaN replicates ignored;
    all NaN gives NaN)."""
    q = [50.0 * (1.0 - level), 50.0 * (1.0 + level)]
    values = np.asarray(values, dtype="float64")
    out = np.full((*values.shape[:-1], 2), np.nan)
    some = ~np.isnan(values).all(axis=-1)
    if some.any():
        out[some] = np.moveaxis(np.nanpercentile(values[some], q, axis=-1), 0, -1)
    return out


def ci_records(
    boot: Bootstrap, variable_codes: Mapping, bands: engine.BandSpec, level: float = LEVEL
) -> dict[int, dict]:
    """Per collection id, what Score.ci stores: {"overall": [lo, hi] (0-100), "reported": [lo, hi] (the band
    scheme's scale and decimals, as Score.reported), "variables": {code: [lo, hi]}, "replicates": R,
    "seed": int, "level": level}."""
    overall = percentile_interval(boot.overall, level)
    variables = percentile_interval(np.moveaxis(boot.variables, 2, 1), level)  # (C, V, 2)
    low = engine.reported(pd.Series(overall[:, 0]), bands).to_numpy()
    high = engine.reported(pd.Series(overall[:, 1]), bands).to_numpy()
    codes = [variable_codes[v] for v in boot.variable_ids.tolist()]
    out = {}
    for k, cid in enumerate(boot.collections.tolist()):
        if np.isnan(overall[k]).any():
            continue
        out[int(cid)] = {
            "overall": [round(float(x), 4) for x in overall[k]],
            "reported": [float(low[k]), float(high[k])],
            "variables": {
                code: [round(float(x), 4) for x in variables[k, j]]
                for j, code in enumerate(codes)
                if not np.isnan(variables[k, j]).any()
            },
            "replicates": boot.replicates,
            "seed": boot.seed,
            "level": level,
        }
    return out


def replicates_bytes(values: np.ndarray) -> bytes:
    """A collection's overall replicates as Score.replicates stores them: little-endian float32."""
    return np.asarray(values, dtype="<f4").tobytes()


def replicates_from_bytes(data: bytes | memoryview) -> np.ndarray:
    """Score.replicates back as float64 (empty when none are stored)."""
    return np.frombuffer(bytes(data), dtype="<f4").astype("float64")


# --- ranks ------------------------------------------------------------------------------------------------


def replicate_ranks(values: np.ndarray) -> np.ndarray:
    """(N x R) scores -> (N x R) rank of each row within its column: highest first, scores equal to
    RANK_DECIMALS decimals share the lowest rank of the tie ("1, 2, 2, 4"), as the ranking does."""
    x = np.round(np.asarray(values, dtype="float64"), RANK_DECIMALS)
    n, r = x.shape
    if n == 0:
        return np.zeros((0, r), dtype="int64")
    # One global search: shift column j by j * span so every column's sorted values follow the last's.
    span = float(np.ceil(x.max() - x.min())) + 1.0
    shifted = (x - x.min()) + (np.arange(r) * span)[None, :]
    flat = np.sort(shifted, axis=0).T.ravel()
    not_above = np.searchsorted(flat, shifted.T.ravel(), side="right").reshape(r, n).T
    not_above -= (np.arange(r) * n)[None, :]
    return (n - not_above + 1).astype("int64")


def _rank_interval(ranks: np.ndarray, level: float) -> np.ndarray:
    """(N x R) ranks -> (N x 2) ints: floor of the low percentile, ceiling of the high one."""
    q = np.percentile(ranks, [50.0 * (1.0 - level), 50.0 * (1.0 + level)], axis=1).T
    return np.column_stack([np.floor(q[:, 0]), np.ceil(q[:, 1])]).astype("int64")


def rank_intervals(
    replicates: Mapping[int, np.ndarray], provinces: Mapping[int, Hashable], level: float = LEVEL
) -> dict[int, dict[str, list[int]]]:
    """{collection id: {"national": [lo, hi], "province": [lo, hi]}}: the interval of each ranked
    collection's rank over the replicates, nationally and among the ranked collections of its province.
    Every collection needs the same number of replicates (replicate r of each is one draw of the set)."""
    ids = list(replicates)
    if not ids:
        return {}
    lengths = {len(replicates[c]) for c in ids}
    if len(lengths) != 1:
        raise ValueError(f"replicate counts differ: {sorted(lengths)}")
    values = np.vstack([np.asarray(replicates[c], dtype="float64") for c in ids])
    national = _rank_interval(replicate_ranks(values), level)
    province = np.zeros_like(national)
    keys = pd.Series([provinces[c] for c in ids])
    for rows in keys.groupby(keys, sort=False).indices.values():
        province[rows] = _rank_interval(replicate_ranks(values[rows]), level)
    return {
        int(c): {"national": national[i].tolist(), "province": province[i].tolist()}
        for i, c in enumerate(ids)
    }
