"""The rows one autosave reads and writes, in plain SQL (PostgreSQL and SQLite alike).

Autosave is the request KOTAN serves most. Through the ORM, building and compiling its handful of
statements (and simple-history's signal building a historical model) cost many times the database work;
these helpers send the same statements directly. They hold no rules: writes.questionnaire_save_answer
decides what to write. The history row is the one simple-history would write (same table and columns),
so Answer.history and every page built on it read these saves like any other.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

from django.db import connection

from ..models import Answer, Questionnaire
from . import sql_rows

ANSWER = Answer._meta.db_table
HISTORY = Answer.history.model._meta.db_table
QUESTIONNAIRE = Questionnaire._meta.db_table
# Every column of the historical table but its own key, as both history writes below fill them (a test
# compares this with the historical model, so a field added to Answer cannot be silently left out).
HISTORY_COLUMNS = (
    "id, value, version, updated_at, history_date, history_change_reason, history_type, history_user_id,"
    " updated_by_id, question_id, questionnaire_id"
)


@dataclass(slots=True)
class Row:
    pk: int
    value: float
    version: int
    updated_by_id: int | None


def _when(moment: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def lock(questionnaire_id: int, question_id: int) -> Row | None:
    """The stored answer, locked until the transaction ends where the database can (PostgreSQL)."""
    sql = (
        f"SELECT id, value, version, updated_by_id FROM {ANSWER}"  # noqa: S608
        " WHERE questionnaire_id = %s AND question_id = %s"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, [questionnaire_id, question_id])
        found = cursor.fetchone()
    return Row(*found) if found else None


def insert(
    questionnaire_id: int, question_id: int, value: float, user_id: int | None, now: datetime.datetime
) -> int:
    """A first answer (version 1); its id. Two first saves at once: the second raises IntegrityError."""
    with sql_rows.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ANSWER} (questionnaire_id, question_id, value, version, updated_by_id, updated_at)"  # noqa: S608
            " VALUES (%s, %s, %s, 1, %s, %s) RETURNING id",
            [questionnaire_id, question_id, value, user_id, _when(now)],
        )
        return cursor.fetchone()[0]


def update(pk: int, value: float, version: int, user_id: int | None, now: datetime.datetime) -> None:
    with sql_rows.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ANSWER} SET value = %s, version = %s, updated_by_id = %s, updated_at = %s"  # noqa: S608
            " WHERE id = %s",
            [value, version, user_id, _when(now), pk],
        )


def record_history(
    *,
    pk: int,
    questionnaire_id: int,
    question_id: int,
    value: float,
    version: int,
    user_id: int | None,
    now: datetime.datetime,
    created: bool,
) -> None:
    """The historical row simple-history writes for a create ("+") or a change ("~")."""
    with sql_rows.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {HISTORY} ({HISTORY_COLUMNS})"  # noqa: S608
            " VALUES (%s, %s, %s, %s, %s, NULL, %s, %s, %s, %s, %s)",
            [
                pk,
                value,
                version,
                _when(now),
                _when(now),
                "+" if created else "~",
                user_id,
                user_id,
                question_id,
                questionnaire_id,
            ],
        )


def touch_questionnaire(questionnaire_id: int, now: datetime.datetime) -> None:
    with sql_rows.cursor() as cursor:
        cursor.execute(
            f"UPDATE {QUESTIONNAIRE} SET updated_at = %s WHERE id = %s",  # noqa: S608
            [_when(now), questionnaire_id],
        )


@cache
def _one_statement_sql(*, first: bool) -> str:
    """write_in_one_statement's SQL: a first answer (`first`) or a change of the version seen."""
    if first:
        write = (
            f"INSERT INTO {ANSWER} AS a (questionnaire_id, question_id, value, version, updated_by_id,"  # noqa: S608
            " updated_at) VALUES (%(qn)s, %(q)s, %(v)s, 1, %(u)s::bigint, %(now)s)"
            " ON CONFLICT (questionnaire_id, question_id) DO NOTHING RETURNING a.*"
        )
    else:
        write = (
            f"UPDATE {ANSWER} SET value = %(v)s, version = version + 1, updated_by_id = %(u)s::bigint,"  # noqa: S608
            " updated_at = %(now)s WHERE questionnaire_id = %(qn)s AND question_id = %(q)s"
            " AND version = %(base)s AND value <> %(v)s RETURNING *"
        )
    return (
        f"WITH saved AS ({write}),"  # noqa: S608
        f" history AS (INSERT INTO {HISTORY} ({HISTORY_COLUMNS})"
        " SELECT id, value, version, updated_at, updated_at, NULL, %(type)s::varchar, updated_by_id,"
        " updated_by_id, question_id, questionnaire_id"
        " FROM saved),"
        f" touched AS (UPDATE {QUESTIONNAIRE} SET updated_at = %(now)s"
        " WHERE id = %(qn)s AND EXISTS (SELECT 1 FROM saved))"
        " SELECT id, version FROM saved"
    )


def write_in_one_statement(
    *,
    questionnaire_id: int,
    question_id: int,
    value: float,
    base_version: int,
    user_id: int | None,
    now: datetime.datetime,
) -> tuple[int, int] | None:
    """The usual autosave, on PostgreSQL, as one statement: the answer (a first answer when base_version
    is 0, else a change of the version the client saw), its history row and the questionnaire's
    timestamp, together or not at all. Returns (id, version), or None when it wrote nothing: another
    database, the stored answer moved on or already holds this value, or a first answer already exists.
    The caller then takes the locked path, which tells a conflict from a retry or a no-op.

    Saves the BEGIN, COMMIT and three round trips of that path on every autosave; concurrent saves stay
    safe because the change only applies to the version seen (PostgreSQL re-checks it after a wait).
    """
    if connection.vendor != "postgresql":
        return None
    sql = _one_statement_sql(first=base_version == 0)
    params = {
        "qn": questionnaire_id,
        "q": question_id,
        "v": value,
        "u": user_id,
        "now": _when(now),
        "base": base_version,
        "type": "+" if base_version == 0 else "~",
    }
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return (found[0], found[1]) if found else None
