""" "What moves the score most": the overall points one collection would gain if the answers of one
indicator rose by one answer level, computed by the scoring engine itself (pure: no database).

For each indicator, every counted answer to its questions moves to the next higher option (the
option with the smallest score above the answer's; a number moves to the next threshold); answers
already at the top stay. The collection is rescored with scoring.engine.score and the gain is
the change of the overall score (0-100 points). All scenarios are scored in one engine pass: each
scenario is a copy of the answers under its own collection id, and the engine groups by collection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assessments import answer_frame
from scoring import engine

GAIN_COLUMNS = ["indicator_id", "score", "raised", "gain", "gain_reported", "answers_raised"]


def next_values(answers: pd.DataFrame, instrument: engine.InstrumentFrames) -> pd.Series:
    """The value one answer level above each answer (same index); the answer's own value when it is
    at the top already or matches no option (an answer that does not count stays as it is)."""
    current = engine.answer_scores(answers, instrument)
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


def _empty_gains(instrument: engine.InstrumentFrames) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": instrument.indicators["indicator_id"].to_numpy(),
            "score": np.nan,
            "raised": np.nan,
            "gain": 0.0,
            "gain_reported": 0.0,
            "answers_raised": 0,
        }
    )[GAIN_COLUMNS]


def _one_collection(answers: pd.DataFrame, what: str) -> None:
    if answers["collection_id"].nunique() > 1:
        raise ValueError(f"{what} takes the answers of one collection")


def _gain_scenarios(answers: pd.DataFrame, instrument: engine.InstrumentFrames) -> tuple[list, list]:
    """Scenario 0: the collection as it is; scenario k: the answers of the k-th indicator one level up.
    Returns (answer frames with collection_id = scenario, answers moved per indicator)."""
    answers = answers[answer_frame.ANSWER_COLUMNS].reset_index(drop=True)
    # An answer to a question its group is not asked never counts, so it is never raised either.
    asked = instrument.asked[["question_id", "group_id"]].drop_duplicates()
    answers = answers.merge(asked, on=["question_id", "group_id"], how="inner")
    raised_values = next_values(answers, instrument).to_numpy()
    moved = raised_values != answers["value"].to_numpy()
    indicator_of = (
        answers["question_id"].map(instrument.questions.set_index("question_id")["indicator_id"]).to_numpy()
    )
    parts = [answers.assign(collection_id=0)]
    counts = []
    for k, indicator_id in enumerate(instrument.indicators["indicator_id"].to_numpy(), start=1):
        mask = moved & (indicator_of == indicator_id)
        counts.append(int(mask.sum()))
        part = answers.assign(collection_id=k)
        part["value"] = np.where(mask, raised_values, part["value"].to_numpy())
        parts.append(part)
    return parts, counts


def _gains_frame(
    result: engine.ScoreResult, counts: list, instrument: engine.InstrumentFrames
) -> pd.DataFrame:
    overall = result.overall["overall"]
    base = float(overall.get(0, np.nan))
    ind = result.indicators.set_index(["collection_id", "indicator_id"])["score"]
    span = instrument.bands.scale_max - instrument.bands.scale_min
    rows = []
    for k, indicator_id in enumerate(instrument.indicators["indicator_id"].to_numpy(), start=1):
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


def score_gains(answers: pd.DataFrame, instrument: engine.InstrumentFrames) -> pd.DataFrame:
    """Per indicator of the instrument, for the one collection in `answers` (counted questionnaires
    only): its score now, its score raised, the overall points gained (`gain`, 0-100; `gain_reported`
    on the band scheme's scale) and how many answers moved. Sorted by gain, highest first."""
    _one_collection(answers, "score_gains")
    if answers.empty:
        return _empty_gains(instrument)
    parts, counts = _gain_scenarios(answers, instrument)
    result = engine.score(pd.concat(parts, ignore_index=True), instrument)
    return _gains_frame(result, counts, instrument)


def _group_part(answers: pd.DataFrame, offset: int) -> tuple[pd.DataFrame, dict[int, int]]:
    """Each group's answers as its own scenario (collection_id = offset + i): (frame, scenario->group)."""
    groups = sorted(answers["group_id"].unique())
    ids = {int(g): offset + i for i, g in enumerate(groups)}
    part = answers[answer_frame.ANSWER_COLUMNS].assign(collection_id=answers["group_id"].map(ids).to_numpy())
    return part, {v: k for k, v in ids.items()}


def _groups_frame(result: engine.ScoreResult, part: pd.DataFrame, scenario_group: dict) -> pd.DataFrame:
    scenarios = list(scenario_group)
    variables = result.variables[result.variables["collection_id"].isin(scenarios)].pivot(
        index="collection_id", columns="variable_id", values="score"
    )
    overall = result.overall.loc[result.overall.index.isin(scenarios), ["overall"]]
    respondents = part.groupby("collection_id")["questionnaire_id"].nunique().rename("respondents")
    out = overall.join(respondents).join(variables)
    out.index = [scenario_group[i] for i in out.index]
    out.index.name = "group_id"
    out.columns.name = None
    return out.reset_index()


def group_scores(answers: pd.DataFrame, instrument: engine.InstrumentFrames) -> pd.DataFrame:
    """The one collection's scores from each respondent group's answers alone: one row per group that
    answered (group_id, overall, respondents) with one column per variable_id (NaN where the group is
    asked nothing of that variable). Same engine, one pass: each group becomes its own "collection"."""
    _one_collection(answers, "group_scores")
    if answers.empty:
        return pd.DataFrame(columns=["group_id", "overall", "respondents"])
    part, scenario_group = _group_part(answers, 0)
    return _groups_frame(engine.score(part, instrument), part, scenario_group)


def gains_and_groups(
    answers: pd.DataFrame, instrument: engine.InstrumentFrames
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """score_gains and group_scores of one collection in a single engine pass (the report card's
    two questions cost one call's fixed overhead instead of two)."""
    _one_collection(answers, "gains_and_groups")
    if answers.empty:
        return _empty_gains(instrument), pd.DataFrame(columns=["group_id", "overall", "respondents"])
    parts, counts = _gain_scenarios(answers, instrument)
    part, scenario_group = _group_part(answers, len(parts))
    result = engine.score(pd.concat([*parts, part], ignore_index=True), instrument)
    return _gains_frame(result, counts, instrument), _groups_frame(result, part, scenario_group)
