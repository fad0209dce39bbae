"""The survey's answers as the scoring engine reads them (pure: NumPy and pandas, no Django): the columns
of an answers frame, an empty one, and each answer's score in [0, 1] by its question's options alone.

Below the engine (scoring.engine) and the survey's own reads (assessments.snapshots: the counted
answers; assessments.review.selectors: the quality flags), so that all of them share one rule for how an
option scores a value, and the survey app never imports the scoring app above it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# One row per counted answer: what assessments.snapshots loads and scoring.engine.score takes.
ANSWER_COLUMNS = ["collection_id", "questionnaire_id", "group_id", "question_id", "value"]


def empty_answers() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in ANSWER_COLUMNS[:-1]}).assign(
        value=pd.Series(dtype="float64")
    )


def score_table(
    questions: pd.DataFrame, options: pd.DataFrame, question_ids: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """[question, distinct value] -> score in [0, 1] (NaN: the value is no option of the question)."""
    kinds = questions.set_index("question_id")["kind"].reindex(question_ids).to_numpy()
    table = np.full((len(question_ids), len(values)), np.nan)
    oq = pd.Index(question_ids).get_indexer(options["question_id"].to_numpy())
    known = oq >= 0
    oq, ov, os_ = (
        oq[known],
        options["value"].to_numpy("float64")[known],
        options["score"].to_numpy("float64")[known],
    )
    top = np.zeros(len(question_ids))
    np.maximum.at(top, oq, os_)
    exact = kinds[oq] != "number"
    col = pd.Index(values).get_indexer(ov[exact])
    hit = col >= 0
    table[oq[exact][hit], col[hit]] = os_[exact][hit]
    for qi in np.flatnonzero(kinds == "number"):
        mine = oq == qi
        order = np.argsort(ov[mine], kind="stable")
        thresholds, scores = ov[mine][order], os_[mine][order]
        if not len(thresholds):
            continue
        band = np.searchsorted(thresholds, values, side="right") - 1
        # Below the lowest threshold scores zero, like the lowest band of a number question.
        table[qi] = np.where(band >= 0, scores[np.clip(band, 0, None)], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table = table / top[:, None]
    table[~np.isfinite(table)] = np.nan
    return np.clip(table, 0.0, 1.0)


def option_scores(question_ids, values, questions: pd.DataFrame, options: pd.DataFrame) -> np.ndarray:
    """Score in [0, 1] of each (question, value) by the options alone, without the respondent-group
    rule (the review's quality flags use it); NaN where the value is no option of the question.
    `questions`: question_id, kind; `options`: question_id, value, score."""
    known = questions["question_id"].to_numpy()
    qidx = pd.Index(known).get_indexer(np.asarray(question_ids))
    vidx, distinct = pd.factorize(np.asarray(values, dtype="float64"))
    table = score_table(questions, options, known, np.asarray(distinct, dtype="float64"))
    out = np.full(len(qidx), np.nan)
    ok = (qidx >= 0) & (vidx >= 0)
    out[ok] = table[qidx[ok], vidx[ok]]
    return out
