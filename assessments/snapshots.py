"""The survey as collected, read as answers frames: which answers count (those of the complete
questionnaires: live_answers), the counted answers kept at a submit (take_snapshot) and the answers as
first submitted (snapshot_answers).

The scoring app builds on these (scoring.inputs loads the instrument's frames, scoring.services scores
both); workflow.collection_submit calls take_snapshot inside its transaction. Answers are rows
(assessments.Answer), not a JSON column: one indexed join loads a whole period (~4.6 million rows)
straight into NumPy arrays, and the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
from django.db import connection

from .answer_frame import ANSWER_COLUMNS, empty_answers
from .models import Collection, Questionnaire, SubmissionSnapshot

_LIVE_SQL = """
SELECT qn.collection_id, a.questionnaire_id, qn.group_id, a.question_id, a.value
FROM {answer} a JOIN {questionnaire} qn ON qn.id = a.questionnaire_id
WHERE qn.collection_id IN (SELECT id FROM {collection} WHERE period_id = %s) AND qn.state = %s
"""


def live_answers(period_id: int, collection_ids: list[int] | None = None) -> pd.DataFrame:
    """The answers of the complete (counted) questionnaires of a period, optionally some collections.

    Raw SQL into NumPy columns: building 4.6 million model instances or tuples would dominate the
    period task; this is one indexed join read with fetchall.
    """
    sql = _LIVE_SQL.format(
        answer=connection.ops.quote_name("assessments_answer"),
        questionnaire=connection.ops.quote_name("assessments_questionnaire"),
        collection=connection.ops.quote_name("assessments_collection"),
    )
    params: list = [period_id, Questionnaire.State.COMPLETE]
    if collection_ids is not None:
        if not collection_ids:
            return empty_answers()
        sql += " AND qn.collection_id IN ({})".format(",".join(["%s"] * len(collection_ids)))
        params += list(collection_ids)
    if connection.vendor == "postgresql":
        return _copy_frame(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return empty_answers()
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype="float64", count=len(rows) * 5)
    del rows
    data = flat.reshape(-1, 5)
    frame = pd.DataFrame(
        {
            "collection_id": data[:, 0].astype("int64"),
            "questionnaire_id": data[:, 1].astype("int64"),
            "group_id": data[:, 2].astype("int64"),
            "question_id": data[:, 3].astype("int64"),
            "value": data[:, 4],
        }
    )
    return frame


def _copy_frame(sql: str, params: list) -> pd.DataFrame:
    """PostgreSQL: COPY the query out as CSV and parse it with pandas' C parser (several times faster
    than fetching millions of Python tuples). Only ints and a fixed state name are inlined."""
    literal = [str(int(p)) if isinstance(p, int) else "'" + str(p).replace("'", "''") + "'" for p in params]
    query = sql.replace("%s", "{}").format(*literal)
    buffer = io.BytesIO()
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.tell():
        return empty_answers()
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        header=None,
        names=ANSWER_COLUMNS,
        dtype=dict.fromkeys(ANSWER_COLUMNS[:-1], "int64") | {"value": "float64"},
    )


def snapshot_answers(collection_ids: list[int]) -> pd.DataFrame:
    """The answers as first submitted (round 1 snapshot) of the given collections."""
    firsts: dict[int, list] = {}
    for cid, rows in (
        SubmissionSnapshot.objects.filter(collection_id__in=collection_ids, round=1)
        .order_by("collection_id", "taken_at", "id")
        .values_list("collection_id", "rows")
    ):
        firsts.setdefault(cid, rows)
    return snapshot_frame(firsts)


def snapshot_frame(rows_by_collection: dict[int, list]) -> pd.DataFrame:
    """Snapshot rows ([questionnaire, group, question, value] lists) per collection as an answers frame."""
    parts = [
        pd.DataFrame(rows, columns=ANSWER_COLUMNS[1:]).assign(collection_id=cid)
        for cid, rows in rows_by_collection.items()
        if rows
    ]
    if not parts:
        return empty_answers()
    frame = pd.concat(parts, ignore_index=True)[ANSWER_COLUMNS]
    return frame.astype({"value": "float64"})


def snapshot_rows(collection: Collection) -> list[list]:
    """The counted answers of a collection now, as compact rows for a SubmissionSnapshot."""
    frame = live_answers(collection.period_id, [collection.pk])
    frame = frame.sort_values(["questionnaire_id", "question_id"])
    return [
        [int(qn), int(g), int(q), float(v)]
        for qn, g, q, v in frame[["questionnaire_id", "group_id", "question_id", "value"]].itertuples(
            index=False
        )
    ]


def take_snapshot(collection: Collection) -> SubmissionSnapshot:
    """Keep the counted answers as they are at this submit (called inside the submit transaction)."""
    return SubmissionSnapshot.objects.create(
        collection=collection, round=collection.review_round, rows=snapshot_rows(collection)
    )
