"""THE IKOTAN scoring engine: pure and vectorised (pandas), no database, no Django.

Method (../shared/IKOTAN.md, "Scoring"), configurable through the instrument's data:
1. An answer's score in [0, 1] is its option score divided by the question's highest option score
   (Likert 1-5 ships with option scores 0..4, yes/no 0/1, a choice its option scores); a number takes
   the score of the highest threshold not above it (below every threshold: 0).
2. Within a kab/kota a question's score is the mean over the counted questionnaires of each respondent
   group that is asked the question, then the mean of those group means (groups count equally).
3. Indicator = weighted mean of its scored questions; variable = weighted mean of its indicators;
   overall = weighted mean of the variables; all on 0-100. Weights are normalised over what has a
   score, so they need not sum to 1 and a question nobody answered (an optional one) drops out
   instead of counting as zero.
4. The overall score is reported on the band scheme's scale (0-100, or e.g. 1-4: a linear map),
   rounded to the scheme's decimals, and the category comes from the scheme: fixed bands by their
   upper edges (a score equal to an upper edge belongs to that band), or relative equal-interval
   bands computed from the period's own results (`relative_categories`).

The answers frame (assessments.answer_frame.ANSWER_COLUMNS) and the option rule of step 1 (score_table)
live in that pure module below, shared with the survey app's own reads.

One pass scores any number of collections: every step groups by collection_id, so scoring one
kab/kota or all 514 is the same code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assessments.answer_frame import score_table

FIXED = "fixed"
RELATIVE = "relative"
OBSERVED_MAX = "observed_max"


@dataclass(frozen=True)
class BandSpec:
    """A category scheme: labels from lowest to highest; `uppers` are the fixed upper edges."""

    kind: str
    labels: tuple[str, ...]
    uppers: tuple[float, ...] = ()
    scale_min: float = 0.0
    scale_max: float = 100.0
    decimals: int = 2
    relative_top: str = "scale_max"


@dataclass
class InstrumentFrames:
    """An instrument as plain tables (ids are whatever the caller uses, usually primary keys).

    questions:  question_id, indicator_id, kind, weight
    indicators: indicator_id, variable_id, weight
    variables:  variable_id, weight
    options:    question_id, value, score  (for number questions: value = lower threshold)
    asked:      question_id, group_id      (which respondent groups are asked which question)
    groups:     group_id, min_quota
    """

    questions: pd.DataFrame
    indicators: pd.DataFrame
    variables: pd.DataFrame
    options: pd.DataFrame
    asked: pd.DataFrame
    groups: pd.DataFrame
    bands: BandSpec


@dataclass
class ScoreResult:
    """Scores on 0-100 per collection. `overall` is indexed by collection_id with columns
    overall, reported, category, quota_met, respondents; the others are long tables."""

    questions: pd.DataFrame
    indicators: pd.DataFrame
    variables: pd.DataFrame
    overall: pd.DataFrame
    groups: pd.DataFrame
    extra: dict = field(default_factory=dict)


# --- step 1: answer scores ---------------------------------------------------------------------------
#
# Everything below works on dense integer indexes (question, group, collection, distinct value) so a
# national period (~4.8 million answers) is scored with table look-ups, np.bincount and small matrix
# products instead of joins and multi-key group-bys.


@dataclass
class _Dense:
    question_ids: np.ndarray
    group_ids: np.ndarray
    qidx: np.ndarray  # per answer: question index (-1: not in the instrument)
    gidx: np.ndarray  # per answer: group index (-1: not in the instrument)
    s: np.ndarray  # per answer: score in [0, 1], NaN when not counted


def _dense(answers: pd.DataFrame, instrument: InstrumentFrames) -> _Dense:
    question_ids = instrument.questions["question_id"].to_numpy()
    group_ids = instrument.groups["group_id"].to_numpy()
    qidx = pd.Index(question_ids).get_indexer(answers["question_id"].to_numpy())
    gidx = pd.Index(group_ids).get_indexer(answers["group_id"].to_numpy())
    vidx, values = pd.factorize(answers["value"].to_numpy(dtype="float64"))
    table = score_table(
        instrument.questions, instrument.options, question_ids, np.asarray(values, dtype="float64")
    )
    asked = np.zeros((len(question_ids), len(group_ids)), dtype=bool)
    aq = pd.Index(question_ids).get_indexer(instrument.asked["question_id"].to_numpy())
    ag = pd.Index(group_ids).get_indexer(instrument.asked["group_id"].to_numpy())
    ok = (aq >= 0) & (ag >= 0)
    asked[aq[ok], ag[ok]] = True
    valid = (qidx >= 0) & (gidx >= 0) & (vidx >= 0)
    s = np.full(len(answers), np.nan)
    q, g, v = qidx[valid], gidx[valid], vidx[valid]
    # An answer to a question its group is not asked does not count.
    s[valid] = np.where(asked[q, g], table[q, v], np.nan)
    return _Dense(question_ids, group_ids, qidx, gidx, s)


def answer_scores(answers: pd.DataFrame, instrument: InstrumentFrames) -> pd.Series:
    """Each answer's score in [0, 1] (NaN when the value matches no option or the question is not
    asked of the answer's group: it is not counted)."""
    return pd.Series(_dense(answers, instrument).s, index=answers.index)


# --- steps 2 and 3: aggregation ------------------------------------------------------------------------


def _weighted(scores: np.ndarray, member: np.ndarray, weights: np.ndarray, n_parents: int) -> np.ndarray:
    """[collection, child] scores -> [collection, parent] weighted means, renormalised over the
    children that have a score (NaN children drop out; no scored child gives NaN)."""
    w = np.zeros((len(member), n_parents))
    ok = member >= 0
    w[np.flatnonzero(ok), member[ok]] = weights[ok]
    present = ~np.isnan(scores)
    num = np.where(present, scores, 0.0) @ w
    den = present.astype("float64") @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _long(matrix: np.ndarray, collections: np.ndarray, ids: np.ndarray, name: str) -> pd.DataFrame:
    ci, ki = np.nonzero(~np.isnan(matrix))
    return pd.DataFrame({"collection_id": collections[ci], name: ids[ki], "score": matrix[ci, ki]})


def score(answers: pd.DataFrame, instrument: InstrumentFrames) -> ScoreResult:
    """Score every collection present in `answers` (only counted questionnaires: callers drop drafts
    and excluded ones). Returns scores on 0-100, the reported overall, its category and quota status."""
    d = _dense(answers, instrument)
    cidx, collections = pd.factorize(answers["collection_id"].to_numpy())
    collections = np.asarray(collections)
    n_c, n_q, n_g = len(collections), len(d.question_ids), len(d.group_ids)
    counted = ~np.isnan(d.s)

    # Group means per (collection, question, group), then the mean of the groups that answered.
    key = (cidx[counted] * n_q + d.qidx[counted]) * n_g + d.gidx[counted]
    size = n_c * n_q * n_g
    sums = np.bincount(key, weights=d.s[counted], minlength=size).reshape(n_c, n_q, n_g)
    counts = np.bincount(key, minlength=size).reshape(n_c, n_q, n_g)
    with np.errstate(divide="ignore", invalid="ignore"):
        group_means = np.where(counts > 0, sums / counts, np.nan)
        answered = (counts > 0).sum(axis=2)
        question = np.where(answered > 0, np.nansum(group_means, axis=2) / answered, np.nan) * 100.0

    qmeta = instrument.questions
    ind_ids = instrument.indicators["indicator_id"].to_numpy()
    var_ids = instrument.variables["variable_id"].to_numpy()
    q_member = pd.Index(ind_ids).get_indexer(qmeta["indicator_id"].to_numpy())
    indicator = _weighted(question, q_member, qmeta["weight"].to_numpy("float64"), len(ind_ids))
    i_member = pd.Index(var_ids).get_indexer(instrument.indicators["variable_id"].to_numpy())
    i_weight = instrument.indicators["weight"].to_numpy("float64")
    variable = _weighted(indicator, i_member, i_weight, len(var_ids))
    v_weight = instrument.variables["weight"].to_numpy("float64")
    total = _weighted(variable, np.zeros(len(var_ids), dtype=int), v_weight, 1)[:, 0]

    groups = quota_status(answers_collections(answers, counted), instrument)
    scored = ~np.isnan(total)
    overall = pd.DataFrame(
        {"overall": total[scored]}, index=pd.Index(collections[scored], name="collection_id")
    )
    overall["quota_met"], overall["respondents"] = _quota_totals(groups, overall.index, n_g)
    overall["reported"] = reported(overall["overall"], instrument.bands)
    if instrument.bands.kind == FIXED:
        overall["category"] = fixed_categories(overall["reported"], instrument.bands)
    else:
        # Relative bands need every participant's score: assigned by the period pass.
        overall["category"] = ""
    return ScoreResult(
        questions=_long(question, collections, d.question_ids, "question_id"),
        indicators=_long(indicator, collections, ind_ids, "indicator_id"),
        variables=_long(variable, collections, var_ids, "variable_id"),
        overall=overall,
        groups=groups,
    )


def answers_collections(answers: pd.DataFrame, counted: np.ndarray | None = None) -> pd.DataFrame:
    """The counted questionnaires: collection_id, questionnaire_id, group_id (one row each, in order of
    first appearance); `counted` masks the answers that count (default: all of them)."""
    columns = ["collection_id", "questionnaire_id", "group_id"]
    arrays = {c: answers[c].to_numpy() for c in columns}
    if counted is not None:
        arrays = {c: a[counted] for c, a in arrays.items()}
    first = ~pd.Series(arrays["questionnaire_id"]).duplicated().to_numpy()
    return pd.DataFrame({c: a[first] for c, a in arrays.items()})


def quota_status(questionnaires: pd.DataFrame, instrument: InstrumentFrames) -> pd.DataFrame:
    """Respondents counted per collection and group against the group's minimum quota: collection_id,
    group_id, respondents, min_quota, met (every group of the instrument appears for every collection,
    in the instrument's group order, with 0 where nobody answered; a group outside it is not counted)."""
    collection_codes, collections = pd.factorize(questionnaires["collection_id"].to_numpy())
    group_ids = instrument.groups["group_id"].to_numpy()
    min_quota = instrument.groups["min_quota"].to_numpy()
    n_c, n_g = len(collections), len(group_ids)
    gidx = pd.Index(group_ids).get_indexer(questionnaires["group_id"].to_numpy())
    known = gidx >= 0
    respondents = np.bincount(collection_codes[known] * n_g + gidx[known], minlength=n_c * n_g)
    out = pd.DataFrame(
        {
            "collection_id": np.repeat(np.asarray(collections), n_g),
            "group_id": np.tile(group_ids, n_c),
            "respondents": respondents.astype("int64"),
            "min_quota": np.tile(min_quota, n_c),
        }
    )
    out["met"] = out["respondents"] >= out["min_quota"]
    return out


def _quota_totals(
    groups: pd.DataFrame, collections: pd.Index, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per collection (in the given order): every group met its quota, and the respondents counted; a
    collection without a row in `groups` has False and 0. `groups` is quota_status' table."""
    if groups.empty or not n_groups:
        return np.zeros(len(collections), dtype=bool), np.zeros(len(collections), dtype=int)
    met = groups["met"].to_numpy().reshape(-1, n_groups).all(axis=1)
    respondents = groups["respondents"].to_numpy().reshape(-1, n_groups).sum(axis=1)
    row = pd.Index(groups["collection_id"].to_numpy()[::n_groups]).get_indexer(collections)
    present = row >= 0
    return (
        np.where(present, met[row], False),
        np.where(present, respondents[row], 0).astype(int),
    )


# --- step 4: reporting scale and categories -------------------------------------------------------------


def reported(overall: pd.Series, bands: BandSpec) -> pd.Series:
    """The 0-100 overall on the scheme's scale, rounded to its decimals."""
    value = bands.scale_min + (bands.scale_max - bands.scale_min) * overall / 100.0
    return value.round(bands.decimals)


def fixed_categories(values: pd.Series, bands: BandSpec) -> pd.Series:
    """Fixed bands: the first band whose upper edge is not below the rounded score."""
    uppers = np.round(np.asarray(bands.uppers, dtype="float64"), bands.decimals)
    idx = np.searchsorted(uppers, values.round(bands.decimals).to_numpy(), side="left")
    idx = np.clip(idx, 0, len(bands.labels) - 1)
    labels = np.asarray(bands.labels, dtype=object)
    out = pd.Series(labels[idx], index=values.index, dtype=object)
    return out.where(values.notna(), "")


def relative_edges(values: pd.Series, bands: BandSpec) -> list[float]:
    """Equal-interval lower edges of bands 2..n between the lowest participant score and the top
    (the scale's top, or the highest participant score), rounded to the scheme's decimals."""
    present = values.dropna()
    if present.empty:
        return []
    low = float(present.min())
    top = float(present.max()) if bands.relative_top == OBSERVED_MAX else float(bands.scale_max)
    n = len(bands.labels)
    return [round(low + k * (top - low) / n, bands.decimals) for k in range(1, n)]


def relative_categories(values: pd.Series, bands: BandSpec) -> pd.Series:
    """Relative bands over one period's participants: a score on an edge belongs to the band above it
    (2023: Sangat Tanggap from 3.533 with edges 3.067 and 3.533 over 2.600-4.000)."""
    edges = relative_edges(values, bands)
    rounded = values.round(bands.decimals).to_numpy()
    idx = np.searchsorted(np.asarray(edges, dtype="float64"), rounded, side="right")
    labels = np.asarray(bands.labels, dtype=object)
    out = pd.Series(labels[np.clip(idx, 0, len(labels) - 1)], index=values.index, dtype=object)
    return out.where(values.notna(), "")


def categories(values: pd.Series, bands: BandSpec) -> pd.Series:
    """Categories of reported scores: fixed, or relative over exactly the scores given."""
    if bands.kind == FIXED:
        return fixed_categories(values, bands)
    return relative_categories(values, bands)
