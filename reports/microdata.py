"""Anonymised respondent-level microdata for analysts: a period's answers, one row per questionnaire and one
column per question, written as CSV, XLSX, Stata .dta and SPSS .sav with variable and value labels, and a
codebook (XLSX) of every column. Built by a Celery task (reports.microdata_tasks), never on a request.

Rows: the complete questionnaires (the counted ones) of the period's submitted-or-later collections in the
scope (national, or one province), ordered by kab/kota code (one with no answer at all has no row).
Columns: `baris` (a running number, not an id), `kode_provinsi`, `kode_kabkota`, `kelompok` (the respondent
group's code), then each question's raw answer (the option value of a Likert/yes-no/choice question, the
number of a number question; empty where the group is not asked or the question was not answered). Never
written: names, labels, village, dates, free text, link tokens, uuids, database ids.

Memory: the answers are read one province of collections at a time (assessments.snapshots.live_answers)
and pivoted per chunk; CSV and XLSX (write-only) are written chunk by chunk, and Stata and SPSS are written
from one compact frame (Int8 codes for choices, float64 only for number questions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db.models import Count, Max

from assessments import snapshots
from assessments.models import Collection, Period, Questionnaire
from instruments.models import Option, Question, RespondentGroup

STATA_LABEL = 80  # characters of a Stata variable label
SPSS_LABEL = 250  # bytes of an SPSS variable label (the format allows 256)
CODEBOOK = "codebook"
# format -> (file suffix, content type)
FORMATS = {
    "csv": ("mikrodata.csv", "text/csv; charset=utf-8"),
    "xlsx": ("mikrodata.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "dta": ("mikrodata.dta", "application/x-stata-dta"),
    "sav": ("mikrodata.sav", "application/x-spss-sav"),
    CODEBOOK: ("kodebuku.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
FIXED = ("baris", "kode_provinsi", "kode_kabkota", "kelompok")


@dataclass
class Column:
    """One column of the microdata and its codebook row."""

    name: str
    label: str
    kind: str  # "int", "text", or a question kind
    question_id: int | None = None
    code: str = ""  # the question's code
    values: dict = field(default_factory=dict)  # {int value: option label} (labelled columns only)
    groups: str = ""
    variable: str = ""
    indicator: str = ""


def column_name(code: str, taken: set[str]) -> str:
    """A question code as a column name valid in Stata and SPSS (letters, digits, _; ≤ 32; no leading
    digit), unique among `taken`: "KK1.1" -> "KK1_1"."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", code)[:30] or "q"
    if not name[0].isalpha():
        name = "q" + name[:29]
    base, n = name, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[:28]}_{n}"
    taken.add(name.lower())
    return name


def _labels(options: list[tuple[float, str]], kind: str) -> dict[int, str]:
    """Value labels of a question's options: only where every value is a small integer (a number
    question's options are thresholds, not values)."""
    if kind == Question.Kind.NUMBER or not options:
        return {}
    if not all(float(v).is_integer() and -100 <= v <= 100 for v, _ in options):
        return {}
    return {int(v): label for v, label in options}


def columns(period: Period) -> list[Column]:
    """The microdata's columns: the four fixed ones, then the questions in the instrument's order."""
    inst = period.instrument
    options: dict[int, list] = {}
    for qid, value, label in Option.objects.filter(question__instrument=inst).values_list(
        "question_id", "value", "label"
    ):
        options.setdefault(qid, []).append((value, label))
    asked: dict[int, list[str]] = {}
    for qid, code in Question.groups.through.objects.filter(question__instrument=inst).values_list(
        "question_id", "respondentgroup__code"
    ):
        asked.setdefault(qid, []).append(code)
    out = [
        Column("baris", "Nomor baris", "int"),
        Column("kode_provinsi", "Kode provinsi", "text"),
        Column("kode_kabkota", "Kode kabupaten/kota", "text"),
        Column("kelompok", "Kelompok responden", "text", values=group_labels(period)),
    ]
    taken = set(FIXED)
    questions = Question.objects.filter(instrument=inst).order_by(
        "indicator__variable__order", "indicator__order", "order", "pk"
    )
    for qid, code, text, kind, indicator, variable in questions.values_list(
        "pk", "code", "text", "kind", "indicator__code", "indicator__variable__code"
    ):
        out.append(
            Column(
                column_name(code, taken),
                text,
                kind,
                qid,
                code,
                _labels(sorted(options.get(qid, [])), kind),
                ", ".join(sorted(asked.get(qid, []))),
                variable,
                indicator,
            )
        )
    return out


def group_labels(period: Period) -> dict[str, str]:
    return dict(
        RespondentGroup.objects.filter(instrument=period.instrument)
        .order_by("order", "pk")
        .values_list("code", "name")
    )


def scope_collections(period: Period, scope_key: str) -> Iterator[tuple[str, dict[int, str]]]:
    """(province code, {collection id: kab/kota code}) per province of the scope, in code order: the
    submitted-or-later collections (a draft's answers are still being entered)."""
    rows = (
        Collection.objects.filter(period=period)
        .exclude(state=Collection.State.DRAFT)
        .order_by("regency__province__code", "regency__code")
        .values_list("pk", "regency__code", "regency__province__code")
    )
    if scope_key:
        rows = rows.filter(regency__province__code=scope_key)
    chunks: dict[str, dict[int, str]] = {}
    for pk, regency, province in rows:
        chunks.setdefault(province, {})[pk] = regency
    yield from chunks.items()


def wide_chunk(
    answers: pd.DataFrame, cols: list[Column], group_codes: dict[int, str], regency_of: dict
) -> pd.DataFrame:
    """One chunk's answers (answer_frame.ANSWER_COLUMNS) pivoted: a row per questionnaire ordered by
    kab/kota code then questionnaire, the question columns in `cols` order with compact dtypes, and no
    id left (the caller numbers the rows)."""
    questions = [c for c in cols if c.question_id is not None]
    rows, questionnaires = pd.factorize(answers["questionnaire_id"].to_numpy(), sort=True)
    col = pd.Index([c.question_id for c in questions]).get_indexer(answers["question_id"].to_numpy())
    matrix = np.full((len(questionnaires), len(questions)), np.nan)
    ok = col >= 0
    matrix[rows[ok], col[ok]] = answers["value"].to_numpy("float64")[ok]
    first = np.zeros(len(questionnaires), dtype="int64")
    first[rows] = np.arange(len(rows))
    regency = [regency_of[int(c)] for c in answers["collection_id"].to_numpy()[first]]
    group = [group_codes.get(int(g), "") for g in answers["group_id"].to_numpy()[first]]
    frame = pd.DataFrame({"kode_kabkota": regency, "kelompok": group})
    for i, c in enumerate(questions):
        frame[c.name] = _compact(matrix[:, i], c)
    order = np.lexsort((np.arange(len(frame)), frame["kode_kabkota"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _compact(values: np.ndarray, c: Column) -> pd.Series:
    """Int8 for a labelled column whose answers are all small integers (an option value); float64 else (a
    number question, or a value no option has any more), which then carries no value labels."""
    with np.errstate(invalid="ignore"):
        small = np.isnan(values) | ((values == np.round(values)) & (np.abs(values) <= 127))
    if c.values and small.all():
        return pd.Series(pd.array(np.where(np.isnan(values), None, values), dtype="Int8"))
    return pd.Series(values, dtype="float64")


def chunks(period: Period, scope_key: str, cols: list[Column]) -> Iterator[pd.DataFrame]:
    """The scope's microdata one province at a time, with kode_provinsi and the running row numbers."""
    group_codes = dict(RespondentGroup.objects.filter(instrument=period.instrument).values_list("pk", "code"))
    start = 1
    for province, regency_of in scope_collections(period, scope_key):
        answers = snapshots.live_answers(period.pk, list(regency_of))
        if answers.empty:
            continue
        frame = wide_chunk(answers, cols, group_codes, regency_of)
        del answers
        frame.insert(0, "kode_provinsi", province)
        frame.insert(0, "baris", np.arange(start, start + len(frame), dtype="int32"))
        start += len(frame)
        yield frame[[c.name for c in cols]]


def inputs_stamp(period: Period, scope_key: str) -> str:
    """What the scope's microdata were built from: its counted questionnaires' latest change and count
    (a new, edited, excluded or deleted questionnaire changes it)."""
    rows = Questionnaire.objects.filter(
        collection__period=period, state=Questionnaire.State.COMPLETE
    ).exclude(collection__state=Collection.State.DRAFT)
    if scope_key:
        rows = rows.filter(collection__regency__province__code=scope_key)
    seen = rows.aggregate(latest=Max("updated_at"), n=Count("pk"))
    return f"{seen['latest'].isoformat() if seen['latest'] else '-'}:{seen['n']}"
