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

One pass scores any number of collections: every step groups by collection_id, so scoring one
kab/kota or all 514 is the same code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ANSWER_COLUMNS = ["collection_id", "questionnaire_id", "group_id", "question_id", "value"]

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


def empty_answers() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in ANSWER_COLUMNS[:-1]}).assign(
        value=pd.Series(dtype="float64")
    )


# --- step 1: answer scores ---------------------------------------------------------------------------


def answer_scores(answers: pd.DataFrame, instrument: InstrumentFrames) -> pd.Series:
    """Each answer's score in [0, 1] (NaN when the value matches no option: it is not counted)."""
    options = instrument.options
    top = options.groupby("question_id")["score"].max()
    kinds = instrument.questions.set_index("question_id")["kind"]
    kind = answers["question_id"].map(kinds)
    raw = pd.Series(np.nan, index=answers.index, dtype="float64")

    is_number = (kind == "number").to_numpy()
    exact = answers.loc[~is_number, ["question_id", "value"]]
    if len(exact):
        lookup = options.set_index(["question_id", "value"])["score"]
        lookup = lookup[~lookup.index.duplicated()]
        keys = pd.MultiIndex.from_arrays([exact["question_id"].to_numpy(), exact["value"].to_numpy()])
        pos = lookup.index.get_indexer(keys)
        found = lookup.to_numpy()[pos]
        raw.loc[exact.index] = np.where(pos >= 0, found, np.nan)

    numbers = answers.loc[is_number, ["question_id", "value"]]
    if len(numbers):
        thresholds = options[options["question_id"].isin(numbers["question_id"].unique())]
        left = numbers.reset_index().sort_values("value", kind="stable")
        right = thresholds[["question_id", "value", "score"]].sort_values("value", kind="stable")
        left = left.astype({"value": "float64"})
        right = right.astype({"value": "float64"})
        banded = pd.merge_asof(left, right, on="value", by="question_id", direction="backward")
        # Below the lowest threshold scores zero, like the lowest band of a number question.
        raw.loc[banded["index"].to_numpy()] = banded["score"].fillna(0.0).to_numpy()

    scale = answers["question_id"].map(top).to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        score = raw.to_numpy() / scale
    score[~np.isfinite(score)] = np.nan
    return pd.Series(np.clip(score, 0.0, 1.0), index=answers.index)


# --- steps 2 and 3: aggregation ------------------------------------------------------------------------


def _weighted_mean(frame: pd.DataFrame, by: list[str], score: str, weight: str) -> pd.DataFrame:
    """sum(w * s) / sum(w) over rows with a score, per `by`; weights renormalised over what is scored."""
    scored = frame[frame[score].notna()]
    tmp = pd.DataFrame(
        {**{k: scored[k].to_numpy() for k in by}, "ws": (scored[score] * scored[weight]).to_numpy()}
    )
    tmp["w"] = scored[weight].to_numpy()
    sums = tmp.groupby(by, sort=True)[["ws", "w"]].sum()
    out = (sums["ws"] / sums["w"]).rename("score").reset_index()
    return out


def score(answers: pd.DataFrame, instrument: InstrumentFrames) -> ScoreResult:
    """Score every collection present in `answers` (only counted questionnaires: callers drop drafts
    and excluded ones). Returns scores on 0-100, the reported overall, its category and quota status."""
    answers = answers[ANSWER_COLUMNS]
    # An answer to a question its group is not asked does not count.
    asked = instrument.asked[["question_id", "group_id"]].drop_duplicates()
    answers = answers.merge(asked, on=["question_id", "group_id"], how="inner")
    answers = answers.assign(s=answer_scores(answers, instrument)).dropna(subset=["s"])

    # Questionnaire-level duplicates of one (questionnaire, question) cannot exist (a DB constraint);
    # the group mean makes duplicated questionnaires count like the originals.
    group_means = answers.groupby(["collection_id", "question_id", "group_id"], sort=False)["s"].mean()
    question_scores = group_means.groupby(level=["collection_id", "question_id"]).mean().rename("score")
    questions = question_scores.reset_index()
    questions["score"] *= 100.0

    qmeta = instrument.questions[["question_id", "indicator_id", "weight"]]
    q = questions.merge(qmeta, on="question_id", how="inner")
    indicators = _weighted_mean(q, ["collection_id", "indicator_id"], "score", "weight")

    imeta = instrument.indicators[["indicator_id", "variable_id", "weight"]]
    i = indicators.merge(imeta, on="indicator_id", how="inner")
    variables = _weighted_mean(i, ["collection_id", "variable_id"], "score", "weight")

    vmeta = instrument.variables[["variable_id", "weight"]]
    v = variables.merge(vmeta, on="variable_id", how="inner")
    overall = _weighted_mean(v, ["collection_id"], "score", "weight").set_index("collection_id")
    overall = overall.rename(columns={"score": "overall"})

    groups = quota_status(answers_collections(answers), instrument)
    overall = overall.join(
        groups.groupby("collection_id").agg(quota_met=("met", "all"), respondents=("respondents", "sum")),
        how="left",
    )
    overall["quota_met"] = overall["quota_met"].fillna(False).astype(bool)
    overall["respondents"] = overall["respondents"].fillna(0).astype(int)
    overall["reported"] = reported(overall["overall"], instrument.bands)
    if instrument.bands.kind == FIXED:
        overall["category"] = fixed_categories(overall["reported"], instrument.bands)
    else:
        # Relative bands need every participant's score: assigned by the period pass.
        overall["category"] = ""
    return ScoreResult(
        questions=questions, indicators=indicators, variables=variables, overall=overall, groups=groups
    )


def answers_collections(answers: pd.DataFrame) -> pd.DataFrame:
    """The counted questionnaires: collection_id, questionnaire_id, group_id (one row each)."""
    return answers[["collection_id", "questionnaire_id", "group_id"]].drop_duplicates()


def quota_status(questionnaires: pd.DataFrame, instrument: InstrumentFrames) -> pd.DataFrame:
    """Respondents counted per collection and group against the group's minimum quota (every group of
    the instrument appears, with 0 where nobody answered)."""
    counts = questionnaires.groupby(["collection_id", "group_id"]).size().rename("respondents")
    collections = questionnaires["collection_id"].unique()
    full = pd.MultiIndex.from_product(
        [collections, instrument.groups["group_id"].to_numpy()], names=["collection_id", "group_id"]
    )
    out = counts.reindex(full, fill_value=0).reset_index()
    out = out.merge(instrument.groups[["group_id", "min_quota"]], on="group_id", how="left")
    out["met"] = out["respondents"] >= out["min_quota"]
    return out


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
