"""request.user from a user row the view read itself, with the checks django.contrib.auth.get_user makes.

A view that reads the session's user in one statement together with other rows hands the row to
adopt_session_user() instead of letting request.user read it a second time. Only the usual case is decided
here: the session was logged in through accounts.backends.ModelBackend, the row is its user, the user may
log in, and the session's hash is the user's current one. Anything else (no row, an inactive user, a hash
of an old password or of a fallback secret) is left to Django's get_user, which reads the row itself and
does what Django does there (no user, a flushed session, a cycled session key).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from .backends import ModelBackend
from .models import User

BACKEND_PATH = f"{ModelBackend.__module__}.{ModelBackend.__qualname__}"
MAX_ID = 2**63 - 1  # the largest primary key (bigint); SQLite refuses larger parameters outright


def session_user_id(request: HttpRequest) -> int | None:
    """The session's user id as a primary key, or None (nobody logged in, or no number a key can be)."""
    try:
        pk = int(request.session.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= MAX_ID else None


def adopt_session_user(request: HttpRequest, user: User | None) -> None:
    """Make `user` (the row of session_user_id(request), read by the caller) request.user when Django's
    get_user would find it too; otherwise request.user stays Django's to resolve (one query)."""
    session = request.session
    if (
        user is not None
        and user.pk == session_user_id(request)
        and session.get(BACKEND_SESSION_KEY) == BACKEND_PATH
        and BACKEND_PATH in settings.AUTHENTICATION_BACKENDS
        and ModelBackend().user_can_authenticate(user)
        and constant_time_compare(session.get(HASH_SESSION_KEY) or "", user.get_session_auth_hash())
    ):
        # AuthenticationMiddleware's lazy request.user answers from this attribute once it is set
        # (django.contrib.auth.middleware.get_user); OTPMiddleware's wrapper around it still adds
        # is_verified(). tests/test_autosave_path.py pins both: a Django upgrade that changes it fails there.
        request._cached_user = user
