"""Model instances from plain SQL rows, for the few lookups every autosave makes.

On the autosave path (the request KOTAN serves most) building and compiling an ORM query cost several
times what the database spent answering it. These helpers give the same model instances from a
hand-written SELECT: `columns(Model, "t")` lists the model's columns in field order, `instance(Model,
values)` applies the database backend's converters (SQLite returns datetimes as text and booleans as
integers) and builds the instance as the ORM would (Model.from_db). `cursor()` runs such statements with
server-side binding on PostgreSQL, so each is parsed and planned once per connection (psycopg prepares it
after DATABASES OPTIONS prepare_threshold uses); Django's own queries keep client-side binding. Use them
only where a profile says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model

MAX_ID = 2**63 - 1  # the largest primary key (bigint); SQLite refuses larger parameters outright


def cursor():
    """A cursor (context manager) for the hot statements: prepared once per connection on PostgreSQL.

    Wrapped like connection.cursor()'s, so database errors are Django's and query counting sees it."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    # Imported here: the PostgreSQL backend needs psycopg, which an embedded (SQLite) install may lack.
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


@cache
def _fields(model: type[Model]) -> tuple:
    return tuple(model._meta.concrete_fields)


@cache
def columns(model: type[Model], alias: str) -> str:
    """`alias.column, ...` for every concrete field of the model, in the order instance() expects."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in _fields(model))


def width(model: type[Model]) -> int:
    """How many values of a row columns(model) selects."""
    return len(_fields(model))


@cache
def _converters(model: type[Model], vendor: str) -> tuple:
    out = []
    for i, field in enumerate(_fields(model)):
        col = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if found:
            out.append((i, tuple(found), col))
    return tuple(out)


def instance(model: type[Model], values: Sequence):
    """The model instance of one row of columns(model), as the ORM would have built it."""
    values = list(values)
    for i, converters, col in _converters(model, connection.vendor):
        for convert in converters:
            values[i] = convert(values[i], col, connection)
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in _fields(model)], values)
