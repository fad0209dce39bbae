"""Quality flags for the BNNP's review: pure functions over plain data (pandas), no database.

answers: DataFrame with questionnaire_id, group_id, question_id, kind, value, score (0..1)
meta: DataFrame with questionnaire_id, group_id, method, created_at, completed_at
Each flag function returns {questionnaire_id: message}; `flags_for` merges them per questionnaire.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import gettext as _

MIN_LIKERT_FOR_STRAIGHT_LINE = 5
MIN_ANSWERS_FOR_DUPLICATE = 5
MIN_SECONDS_PER_ANSWER = 4.0
OUTLIER_Z = 2.5
MIN_GROUP_FOR_OUTLIER = 5
VARIABLE_JUMP_POINTS = 25.0


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


def straight_lining(answers: pd.DataFrame) -> dict[int, str]:
    """Every Likert answer of the questionnaire is the same level (with enough Likert answers to tell)."""
    likert = answers[answers["kind"] == "likert"]
    if likert.empty:
        return {}
    stats = likert.groupby("questionnaire_id")["value"].agg(["nunique", "count", "first"])
    hit = stats[(stats["count"] >= MIN_LIKERT_FOR_STRAIGHT_LINE) & (stats["nunique"] == 1)]
    return {
        int(qid): _("Semua %(n)d jawaban Likert bernilai sama (%(v)g).")
        % {"n": row["count"], "v": row["first"]}
        for qid, row in hit.iterrows()
    }


def duplicates(answers: pd.DataFrame) -> dict[int, str]:
    """Questionnaires of one kab/kota with identical answer vectors (every question, same value)."""
    if answers.empty:
        return {}
    ordered = answers.sort_values(["questionnaire_id", "question_id"])
    vectors = ordered.groupby("questionnaire_id").apply(
        lambda g: (len(g), tuple(zip(g["question_id"].tolist(), g["value"].tolist(), strict=True))),
        include_groups=False,
    )
    by_vector: dict = defaultdict(list)
    for qid, (count, vector) in vectors.items():
        if count >= MIN_ANSWERS_FOR_DUPLICATE:
            by_vector[vector].append(int(qid))
    result = {}
    for ids in by_vector.values():
        if len(ids) > 1:
            for qid in ids:
                twins = ", ".join(f"#{other}" for other in ids if other != qid)
                result[qid] = _("Jawaban identik dengan kuesioner %(twins)s.") % {"twins": twins}
    return result


def too_fast(meta: pd.DataFrame, answer_counts: pd.Series) -> dict[int, str]:
    """Completed in less time than reading the questions takes (staff or link entry; not Excel imports)."""
    done = meta[meta["completed_at"].notna() & meta["method"].isin(["staff", "link"])].copy()
    if done.empty:
        return {}
    done["seconds"] = (
        pd.to_datetime(done["completed_at"]) - pd.to_datetime(done["created_at"])
    ).dt.total_seconds()
    done["answers"] = done["questionnaire_id"].map(answer_counts).fillna(0)
    hit = done[(done["answers"] > 0) & (done["seconds"] < done["answers"] * MIN_SECONDS_PER_ANSWER)]
    return {
        int(row.questionnaire_id): _("Diselesaikan dalam %(s)d detik untuk %(n)d jawaban.")
        % {"s": max(0, row.seconds), "n": row.answers}
        for row in hit.itertuples()
    }


def outliers(answers: pd.DataFrame) -> dict[int, str]:
    """A questionnaire's mean score far from its group's mean in the same kab/kota (|z| > OUTLIER_Z)."""
    if answers.empty:
        return {}
    per_q = answers.groupby(["group_id", "questionnaire_id"])["score"].mean().reset_index()
    grp = per_q.groupby("group_id")["score"].agg(["mean", "std", "count"])
    per_q = per_q.join(grp, on="group_id")
    per_q = per_q[(per_q["count"] >= MIN_GROUP_FOR_OUTLIER) & (per_q["std"] > 0)]
    per_q["z"] = (per_q["score"] - per_q["mean"]) / per_q["std"]
    hit = per_q[per_q["z"].abs() > OUTLIER_Z]
    return {
        int(row.questionnaire_id): _(
            "Rata-rata skor %(s).0f jauh dari rata-rata kelompoknya %(m).0f (z = %(z).1f)."
        )
        % {"s": 100 * row.score, "m": 100 * row.mean, "z": row.z}
        for row in hit.itertuples()
    }


def variable_jumps(current: dict[str, float], previous: dict[str, float] | None) -> dict[str, str]:
    """Variables whose score moved more than VARIABLE_JUMP_POINTS since last year."""
    if not previous:
        return {}
    result = {}
    for name, value in current.items():
        before = previous.get(name)
        if before is None or value is None:
            continue
        if abs(value - before) > VARIABLE_JUMP_POINTS:
            result[name] = _("%(var)s berubah %(d)+.1f poin dari tahun lalu (%(a).1f → %(b).1f).") % {
                "var": name,
                "d": value - before,
                "a": before,
                "b": value,
            }
    return result


def flags_for(answers: pd.DataFrame, meta: pd.DataFrame) -> dict[int, list[Flag]]:
    """All questionnaire-level flags of one collection, keyed by questionnaire id."""
    counts = answers.groupby("questionnaire_id").size() if not answers.empty else pd.Series(dtype=int)
    found: dict[int, list[Flag]] = defaultdict(list)
    for code, result in (
        ("straight_lining", straight_lining(answers)),
        ("duplicate", duplicates(answers)),
        ("too_fast", too_fast(meta, counts)),
        ("outlier", outliers(answers)),
    ):
        for qid, message in result.items():
            found[qid].append(Flag(code, message))
    return dict(found)
