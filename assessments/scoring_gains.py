""" "What moves the score most": the overall points one collection would gain if the answers of one
indicator rose by one answer level, computed by the scoring engine itself (pure: no database).

For each indicator, every counted answer to its questions moves to the next higher option (the
option with the smallest score above the answer's; a number moves to the next threshold); answers
already at the top stay. The collection is rescored with assessments.scoring.score and the gain is
the change of the overall score (0-100 points). All scenarios are scored in one engine pass: each
scenario is a copy of the answers under its own collection id, and the engine groups by collection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assessments import scoring

GAIN_COLUMNS = ["indicator_id", "score", "raised", "gain", "gain_reported", "answers_raised"]


def next_values(answers: pd.DataFrame, instrument: scoring.InstrumentFrames) -> pd.Series:
    """The value one answer level above each answer (same index); the answer's own value when it is
    at the top already or matches no option (an answer that does not count stays as it is)."""
    current = scoring.answer_scores(answers, instrument)
    options = instrument.options[["question_id", "value", "score"]].copy()
    top = options.groupby("question_id")["score"].transform("max")
    with np.errstate(divide="ignore", invalid="ignore"):
        options["norm"] = np.where(top > 0, options["score"] / top, np.nan)
    left = pd.DataFrame(
        {"row": np.arange(len(answers)), "question_id": answers["question_id"].to_numpy(), "s": current}
    ).dropna(subset=["s"])
    pairs = left.merge(options, on="question_id", how="inner")
    # Strictly better options only; the nearest one (lowest score, then lowest value) is the next level.
    pairs = pairs[pairs["norm"] > pairs["s"] + 1e-12]
    pairs = pairs.sort_values(["row", "norm", "value"], kind="stable").drop_duplicates("row")
    out = answers["value"].to_numpy(dtype="float64", copy=True)
    out[pairs["row"].to_numpy()] = pairs["value"].to_numpy(dtype="float64")
    return pd.Series(out, index=answers.index)


def score_gains(answers: pd.DataFrame, instrument: scoring.InstrumentFrames) -> pd.DataFrame:
    """Per indicator of the instrument, for the one collection in `answers` (counted questionnaires
    only): its score now, its score raised, the overall points gained (`gain`, 0-100; `gain_reported`
    on the band scheme's scale) and how many answers moved. Sorted by gain, highest first."""
    collections = answers["collection_id"].unique()
    if len(collections) > 1:
        raise ValueError("score_gains takes the answers of one collection")
    indicator_ids = instrument.indicators["indicator_id"].to_numpy()
    if not len(collections):
        return pd.DataFrame(
            {
                "indicator_id": indicator_ids,
                "score": np.nan,
                "raised": np.nan,
                "gain": 0.0,
                "gain_reported": 0.0,
                "answers_raised": 0,
            }
        )[GAIN_COLUMNS]

    answers = answers[scoring.ANSWER_COLUMNS].reset_index(drop=True)
    # An answer to a question its group is not asked never counts, so it is never raised either.
    asked = instrument.asked[["question_id", "group_id"]].drop_duplicates()
    answers = answers.merge(asked, on=["question_id", "group_id"], how="inner")
    raised_values = next_values(answers, instrument).to_numpy()
    moved = raised_values != answers["value"].to_numpy()
    indicator_of = (
        answers["question_id"].map(instrument.questions.set_index("question_id")["indicator_id"]).to_numpy()
    )

    # Scenario 0 is the collection as it is; scenario k raises the answers of the k-th indicator.
    parts = [answers.assign(collection_id=0)]
    counts = []
    for k, indicator_id in enumerate(indicator_ids, start=1):
        mask = moved & (indicator_of == indicator_id)
        counts.append(int(mask.sum()))
        part = answers.assign(collection_id=k)
        part["value"] = np.where(mask, raised_values, part["value"].to_numpy())
        parts.append(part)
    result = scoring.score(pd.concat(parts, ignore_index=True), instrument)

    overall = result.overall["overall"]
    base = float(overall.get(0, np.nan))
    ind = result.indicators.set_index(["collection_id", "indicator_id"])["score"]
    span = instrument.bands.scale_max - instrument.bands.scale_min
    rows = []
    for k, indicator_id in enumerate(indicator_ids, start=1):
        gain = float(overall.get(k, np.nan)) - base
        if not np.isfinite(gain) or abs(gain) < 1e-9:
            gain = 0.0  # float noise of a rescore with nothing moved
        rows.append(
            {
                "indicator_id": indicator_id,
                "score": float(ind.get((0, indicator_id), np.nan)),
                "raised": float(ind.get((k, indicator_id), np.nan)),
                "gain": gain,
                "gain_reported": gain * span / 100.0,
                "answers_raised": counts[k - 1],
            }
        )
    out = pd.DataFrame(rows, columns=GAIN_COLUMNS)
    return out.sort_values(["gain", "indicator_id"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def group_scores(answers: pd.DataFrame, instrument: scoring.InstrumentFrames) -> pd.DataFrame:
    """The one collection's scores from each respondent group's answers alone: one row per group that
    answered (group_id, overall, respondents) with one column per variable_id (NaN where the group is
    asked nothing of that variable). Same engine, one pass: each group becomes its own "collection"."""
    if answers["collection_id"].nunique() > 1:
        raise ValueError("group_scores takes the answers of one collection")
    if answers.empty:
        return pd.DataFrame(columns=["group_id", "overall", "respondents"])
    per_group = answers[scoring.ANSWER_COLUMNS].assign(collection_id=answers["group_id"].to_numpy())
    result = scoring.score(per_group, instrument)
    variables = result.variables.pivot(index="collection_id", columns="variable_id", values="score")
    overall = result.overall[["overall"]]
    respondents = per_group.groupby("collection_id")["questionnaire_id"].nunique().rename("respondents")
    out = overall.join(respondents).join(variables)
    out.index.name = "group_id"
    return out.reset_index()
