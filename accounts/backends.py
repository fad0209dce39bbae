"""The authentication backend: Django's ModelBackend, with the user of each logged-in request read by one
plain SQL statement (every autosave asks for request.user; compiling the ORM query cost more than it).

`read_ahead` lets a caller that already read the session's user row in a statement of its own (autosave
reads it together with the questionnaire: one database round trip instead of two) hand it over. Django's
auth.get_user still does everything else: the backend check, is_active, the session hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from kotan import sql_rows

from .models import User

# {user id: the row read for it, None when there is none}; only inside a read_ahead block.
_read_ahead: ContextVar[dict[int, User | None] | None] = ContextVar("users_read_ahead", default=None)


@contextmanager
def read_ahead(users: dict[int, User | None]) -> Iterator[None]:
    """Within the block, get_user() answers these ids from the given rows instead of reading them."""
    token = _read_ahead.set(users)
    try:
        yield
    finally:
        _read_ahead.reset(token)


def user_pk(user_id) -> int | None:
    """The session's user id as a primary key, or None when it cannot be one."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= sql_rows.MAX_ID else None


def user_select(alias: str = "u") -> str:
    """The User columns, in the order sql_rows.instance(User, ...) expects."""
    return sql_rows.columns(User, alias)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        pk = user_pk(user_id)
        if pk is None:
            return None
        ahead = _read_ahead.get()
        if ahead is not None and pk in ahead:
            user = ahead[pk]
        else:
            with sql_rows.cursor() as cursor:
                cursor.execute(
                    f"SELECT {user_select()} FROM {User._meta.db_table} u WHERE u.id = %s",  # noqa: S608
                    [pk],
                )
                row = cursor.fetchone()
            user = sql_rows.instance(User, row) if row else None
        return user if user is not None and self.user_can_authenticate(user) else None
