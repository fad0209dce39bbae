"""What an autosave reads before it writes: the questionnaire with its collection, period and kab/kota
(staff), or the respondent link with them (respondents), each in one plain SQL statement. The staff one
also reads the session's user, which the view hands to accounts.sessions.adopt_session_user: request.user
then costs no query of its own.

These run on every autosave; through the ORM, compiling the four-table join cost several times the
database's work (see sql_rows.py). Scope stays with kotan.access: the caller asks
access.can_view_regency about the kab/kota loaded here.
"""

from __future__ import annotations

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection

from accounts.models import User
from regions.models import Regency

from ..models import TOKEN_MAX_LENGTH, Collection, Period, Questionnaire, RespondentLink
from . import sql_rows

_TABLES = (Questionnaire, Collection, Period)


@cache
def _select(*, via_link: bool) -> str:
    """SELECT [link,] questionnaire, collection, period, kab/kota id and province, joined; the staff one
    (not via a link) then also the user whose id is its first parameter (NULLs when there is none)."""
    q = connection.ops.quote_name
    picked = [sql_rows.columns(m, a) for m, a in zip(_TABLES, ("qn", "c", "p"), strict=True)]
    source = f"{q(Questionnaire._meta.db_table)} qn"
    if via_link:
        picked.insert(0, sql_rows.columns(RespondentLink, "l"))
        source = f"{q(RespondentLink._meta.db_table)} l JOIN {source} ON qn.id = l.questionnaire_id"
    user = "" if via_link else f", {sql_rows.columns(User, 'u')}"
    joined = (
        f"SELECT {', '.join(picked)}, r.id, r.province_id{user} FROM {source}"  # noqa: S608 (names from _meta)
        f" JOIN {q(Collection._meta.db_table)} c ON c.id = qn.collection_id"
        f" JOIN {q(Period._meta.db_table)} p ON p.id = c.period_id"
        f" JOIN {q(Regency._meta.db_table)} r ON r.id = c.regency_id"
    )
    return joined + ("" if via_link else f" LEFT JOIN {q(User._meta.db_table)} u ON u.id = %s")


def _build(row) -> Questionnaire:
    """The questionnaire of a row of _select, with .collection, .collection.period and .collection.regency
    (a kab/kota with only id and province loaded; other fields load if asked for)."""
    objects, start = [], 0
    for model in _TABLES:
        end = start + sql_rows.width(model)
        objects.append(sql_rows.instance(model, row[start:end]))
        start = end
    questionnaire, collection, period = objects
    collection.period = period
    collection.regency = Regency.from_db(DEFAULT_DB_ALIAS, ["id", "province_id"], row[start : start + 2])
    questionnaire.collection = collection
    return questionnaire


def questionnaire_and_user(pk: int, user_id: int | None) -> tuple[Questionnaire | None, User | None]:
    """The questionnaire with this pk and, in the same statement, the user with that id (each None when
    there is none). Nothing is read when there is no user id (nobody is logged in: the caller answers 401)
    or the number cannot be a questionnaire's (a URL may carry any number)."""
    if user_id is None or not 0 < pk <= sql_rows.MAX_ID:
        return None, None
    with sql_rows.cursor() as cursor:
        cursor.execute(_select(via_link=False) + " WHERE qn.id = %s", [user_id, pk])
        row = cursor.fetchone()
    if row is None:
        return None, None
    user_row = row[-sql_rows.width(User) :]
    return _build(row), sql_rows.instance(User, user_row) if user_row[0] is not None else None


def link(token: str) -> RespondentLink | None:
    """The link with this token, its .questionnaire loaded as questionnaire_and_user() does; None when
    unknown."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    with sql_rows.cursor() as cursor:
        cursor.execute(_select(via_link=True) + " WHERE l.token = %s", [token])
        row = cursor.fetchone()
    if row is None:
        return None
    width = sql_rows.width(RespondentLink)
    found = sql_rows.instance(RespondentLink, row[:width])
    found.questionnaire = _build(row[width:])
    return found
