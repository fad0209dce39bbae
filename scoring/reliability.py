"""The instrument's reliability (pure: NumPy and pandas, no Django): Cronbach's α per variable, per
respondent group, nationally and per province, and each question's corrected item-total correlation and
"α if item deleted", flagging the questions to look at in the next instrument revision.

Method. An answer's item score is its option score in [0, 1] (assessments.answer_frame.option_scores,
the engine's step 1); answers to questions the group is not asked do not count. Respondent groups are
asked different questions, so the missing answers are missing by design and one α over all
questionnaires is not defined. α is therefore computed per variable *within each respondent group*, over
the questions of that variable the group is asked (k ≥ 2), listwise over the group's questionnaires that
answered all k of them (n ≥ 3): α = k/(k−1) · (1 − Σ s²ᵢ / s²ₜ), sample variances (ddof 1). A variable's
reliability is reported as these per-group α with their k and n (never averaged: the groups answer
different item sets). The corrected item-total correlation of a question is Pearson's r between it and
the sum of the other k−1 questions of the same variable and group; "α if item deleted" is α over those
k−1 (needs k ≥ 3). A question is a revision candidate where deleting it raises α, or its r < 0.3.
A constant total (s²ₜ = 0) or item leaves α or r undefined (None), never a division by zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from assessments.answer_frame import option_scores

MIN_ITEMS = 2
MIN_N = 3
LOW_ITEM_TOTAL = 0.3


@dataclass
class GroupMatrix:
    """One respondent group's item scores: a row per questionnaire, a column per question it is asked."""

    group_id: int
    question_ids: np.ndarray
    province: np.ndarray  # per row: the questionnaire's province key (any hashable; -1 unknown)
    scores: np.ndarray  # float32, rows x questions, NaN where unanswered


def group_matrices(answers: pd.DataFrame, frames, province_of: dict | None = None) -> dict[int, GroupMatrix]:
    """The answers frame (answer_frame.ANSWER_COLUMNS) as one score matrix per respondent group.
    `frames`: the engine's InstrumentFrames; `province_of`: collection_id -> province key."""
    asked = frames.asked
    s = option_scores(
        answers["question_id"].to_numpy(),
        answers["value"].to_numpy("float64"),
        frames.questions,
        frames.options,
    )
    out = {}
    for gid, qids in asked.groupby("group_id")["question_id"]:
        qids = np.sort(qids.to_numpy())
        mine = answers["group_id"].to_numpy() == gid
        col = pd.Index(qids).get_indexer(answers["question_id"].to_numpy()[mine])
        rows, questionnaires = pd.factorize(answers["questionnaire_id"].to_numpy()[mine])
        matrix = np.full((len(questionnaires), len(qids)), np.nan, dtype="float32")
        ok = col >= 0
        matrix[rows[ok], col[ok]] = s[mine][ok]
        first = np.zeros(len(questionnaires), dtype="int64")
        first[rows] = np.flatnonzero(mine)  # any answer of a questionnaire names its collection
        collections = answers["collection_id"].to_numpy()[first]
        province = np.array([(province_of or {}).get(int(c), -1) for c in collections], dtype=object)
        out[int(gid)] = GroupMatrix(int(gid), qids, province, matrix)
    return out


def concat_matrices(parts: list[dict[int, GroupMatrix]]) -> dict[int, GroupMatrix]:
    """Matrices of several chunks (e.g. one per province) joined per group."""
    out: dict[int, GroupMatrix] = {}
    for part in parts:
        for gid, m in part.items():
            if gid not in out:
                out[gid] = m
                continue
            prev = out[gid]
            out[gid] = GroupMatrix(
                gid,
                prev.question_ids,
                np.concatenate([prev.province, m.province]),
                np.concatenate([prev.scores, m.scores]),
            )
    return out


def cronbach_alpha(x: np.ndarray) -> float | None:
    """α of a complete n x k matrix (k ≥ 2 items, n ≥ 3 rows); None when undefined."""
    n, k = x.shape
    if k < MIN_ITEMS or n < MIN_N:
        return None
    x = x.astype("float64")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return None
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def item_statistics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item of a complete n x k matrix: corrected item-total r and α if the item is deleted (NaN
    where undefined)."""
    k = x.shape[1]
    x = x.astype("float64")
    rest = x.sum(axis=1)[:, None] - x
    xc, rc = x - x.mean(axis=0), rest - rest.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (xc * rc).sum(axis=0) / np.sqrt((xc**2).sum(axis=0) * (rc**2).sum(axis=0))
        deleted = np.full(k, np.nan)
        if k >= MIN_ITEMS + 1:
            item_var, rest_var = x.var(axis=0, ddof=1), rest.var(axis=0, ddof=1)
            deleted = (k - 1) / (k - 2) * (1 - (item_var.sum() - item_var) / rest_var)
            deleted[rest_var <= 0] = np.nan
    return np.where(np.isfinite(r), r, np.nan), np.where(np.isfinite(deleted), deleted, np.nan)


def _complete(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x).any(axis=1)]


def _variable_of(frames) -> pd.Series:
    q = frames.questions.merge(frames.indicators[["indicator_id", "variable_id"]], on="indicator_id")
    return q.set_index("question_id")["variable_id"]


def _blocks(matrices: dict[int, GroupMatrix], frames):
    """(variable_id, group_id, matrix, column positions) for every variable a group is asked ≥ 2 of."""
    variable_of = _variable_of(frames)
    for gid, m in sorted(matrices.items()):
        variables = variable_of.reindex(m.question_ids).to_numpy()
        for vid in pd.unique(variables[~pd.isna(variables)]):
            cols = np.flatnonzero(variables == vid)
            if len(cols) >= MIN_ITEMS:
                yield int(vid), gid, m, cols


@dataclass
class Reliability:
    """Long tables of ids: variables (variable_id, group_id, k, n, alpha), provinces (province,
    variable_id, group_id, k, n, alpha), items (variable_id, group_id, question_id, n, alpha, r,
    alpha_if_deleted, raises_alpha, low_r, flagged)."""

    variables: pd.DataFrame
    provinces: pd.DataFrame
    items: pd.DataFrame


def reliability(matrices: dict[int, GroupMatrix], frames) -> Reliability:
    variables, provinces, items = [], [], []
    for vid, gid, m, cols in _blocks(matrices, frames):
        x = _complete(m.scores[:, cols])
        alpha = cronbach_alpha(x)
        variables.append((vid, gid, len(cols), len(x), alpha))
        if len(x) >= MIN_N:
            r, deleted = item_statistics(x)
            for qid, ri, di in zip(m.question_ids[cols], r, deleted, strict=True):
                raises = alpha is not None and bool(np.isfinite(di)) and di > alpha
                low = bool(np.isfinite(ri)) and ri < LOW_ITEM_TOTAL
                items.append(
                    (vid, gid, int(qid), len(x), alpha, _num(ri), _num(di), raises, low, raises or low)
                )
        complete_rows = ~np.isnan(m.scores[:, cols]).any(axis=1)
        for prov in pd.unique(m.province[complete_rows]):
            px = m.scores[complete_rows & (m.province == prov)][:, cols]
            provinces.append((prov, vid, gid, len(cols), len(px), cronbach_alpha(px)))
    return Reliability(
        variables=pd.DataFrame(variables, columns=["variable_id", "group_id", "k", "n", "alpha"]),
        provinces=pd.DataFrame(provinces, columns=["province", "variable_id", "group_id", "k", "n", "alpha"]),
        items=pd.DataFrame(
            items,
            columns=[
                "variable_id",
                "group_id",
                "question_id",
                "n",
                "alpha",
                "r",
                "alpha_if_deleted",
                "raises_alpha",
                "low_r",
                "flagged",
            ],
        ),
    )


def _num(value) -> float | None:
    return float(value) if np.isfinite(value) else None
