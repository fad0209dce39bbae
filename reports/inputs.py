"""Loading the scoring engine's inputs from the database as DataFrames (one query per table).

Answers are rows (assessments.Answer), not a JSON column: one indexed join loads a whole period
(~4.6 million rows) straight into NumPy arrays, the same code runs on SQLite and PostgreSQL, and
per-answer versions/history/constraints stay simple. bench/recompute.py measures the load.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from assessments import scoring
from assessments.models import Collection, Questionnaire, SubmissionSnapshot
from instruments.models import Indicator, Instrument, Option, Question, RespondentGroup, Variable


@dataclass
class InstrumentData:
    frames: scoring.InstrumentFrames
    variable_codes: dict[int, str]
    indicator_codes: dict[int, str]
    group_codes: dict[int, str]
    signature: str  # changes whenever anything that affects a score changes


def _frame(rows, columns) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def band_spec(instrument: Instrument) -> scoring.BandSpec:
    scheme = instrument.band_scheme
    bands = list(scheme.bands.order_by("order"))
    # str(): a scheme just created in this process holds enum members, one read back holds their values;
    # both must give the same BandSpec (its repr is part of the instrument signature).
    return scoring.BandSpec(
        kind=str(scheme.kind),
        labels=tuple(b.label for b in bands),
        uppers=tuple(float(b.upper) for b in bands if b.upper is not None),
        scale_min=float(scheme.scale_min),
        scale_max=float(scheme.scale_max),
        decimals=scheme.decimals,
        relative_top=str(scheme.relative_top),
    )


def instrument_data(instrument: Instrument) -> InstrumentData:
    questions = _frame(
        Question.objects.filter(instrument=instrument).values_list("id", "indicator_id", "kind", "weight"),
        ["question_id", "indicator_id", "kind", "weight"],
    ).astype({"weight": "float64"})
    indicators = _frame(
        Indicator.objects.filter(variable__instrument=instrument).values_list(
            "id", "variable_id", "weight", "code"
        ),
        ["indicator_id", "variable_id", "weight", "code"],
    ).astype({"weight": "float64"})
    variables = _frame(
        Variable.objects.filter(instrument=instrument).values_list("id", "weight", "code"),
        ["variable_id", "weight", "code"],
    ).astype({"weight": "float64"})
    options = _frame(
        Option.objects.filter(question__instrument=instrument).values_list("question_id", "value", "score"),
        ["question_id", "value", "score"],
    ).astype({"value": "float64", "score": "float64"})
    asked = _frame(
        Question.groups.through.objects.filter(question__instrument=instrument).values_list(
            "question_id", "respondentgroup_id"
        ),
        ["question_id", "group_id"],
    )
    groups = _frame(
        RespondentGroup.objects.filter(instrument=instrument).values_list("id", "min_quota", "code"),
        ["group_id", "min_quota", "code"],
    )
    bands = band_spec(instrument)
    frames = scoring.InstrumentFrames(
        questions=questions,
        indicators=indicators,
        variables=variables,
        options=options,
        asked=asked,
        groups=groups,
        bands=bands,
    )
    digest = hashlib.sha256(repr(bands).encode())
    for frame in (questions, indicators, variables, options, asked, groups):
        ordered = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        digest.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    return InstrumentData(
        frames=frames,
        variable_codes=dict(zip(variables["variable_id"], variables["code"], strict=True)),
        indicator_codes=dict(zip(indicators["indicator_id"], indicators["code"], strict=True)),
        group_codes=dict(zip(groups["group_id"], groups["code"], strict=True)),
        signature=digest.hexdigest(),
    )


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
            return scoring.empty_answers()
        sql += " AND qn.collection_id IN ({})".format(",".join(["%s"] * len(collection_ids)))
        params += list(collection_ids)
    if connection.vendor == "postgresql":
        return _copy_frame(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return scoring.empty_answers()
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
        return scoring.empty_answers()
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        header=None,
        names=scoring.ANSWER_COLUMNS,
        dtype=dict.fromkeys(scoring.ANSWER_COLUMNS[:-1], "int64") | {"value": "float64"},
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
        pd.DataFrame(rows, columns=scoring.ANSWER_COLUMNS[1:]).assign(collection_id=cid)
        for cid, rows in rows_by_collection.items()
        if rows
    ]
    if not parts:
        return scoring.empty_answers()
    frame = pd.concat(parts, ignore_index=True)[scoring.ANSWER_COLUMNS]
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


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the 64-bit result (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def input_hashes(answers: pd.DataFrame, signature: str) -> dict[int, str]:
    """A fingerprint per collection of its counted answers and the instrument signature.

    Each row is mixed into 64 bits and the rows of a collection are summed (mod 2**64), so row order
    never matters, equal inputs give equal fingerprints, and 4.8 million rows take well under a second.
    """
    if answers.empty:
        return {}
    with np.errstate(over="ignore"):
        h = _mix(answers["questionnaire_id"].to_numpy().astype(np.uint64))
        h = _mix(h ^ answers["question_id"].to_numpy().astype(np.uint64))
        h = _mix(h ^ answers["group_id"].to_numpy().astype(np.uint64))
        h = _mix(h ^ answers["value"].to_numpy(dtype="float64").view(np.uint64))
    collections = answers["collection_id"].to_numpy()
    order = np.argsort(collections, kind="stable")
    collections, h = collections[order], h[order]
    starts = np.flatnonzero(np.r_[True, collections[1:] != collections[:-1]])
    sums = np.add.reduceat(h, starts)
    counts = np.diff(np.r_[starts, len(h)])
    return {
        int(collections[i]): hashlib.sha256(f"{signature}:{int(s)}:{int(n)}".encode()).hexdigest()
        for i, s, n in zip(starts, sums, counts, strict=True)
    }
