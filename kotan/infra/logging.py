"""Logging filters: one line a minute while the database is away, one line per refused request.

Attached to the `django.request` logger in settings.LOGGING (filter "database_unavailable"). Django logs
every 5xx answer there with the full traceback; while PostgreSQL restarts, every request of every web
process would add one. This filter lets the first such record of a minute through, rewritten to a single
line without traceback ("database unavailable: N request(s) answered 503 in the last 60 s"), and drops
the others; the count is per process. /readyz's 503s (a load balancer polls it every few seconds) are
counted the same way. Every other record passes untouched.

RefusedRequestFilter, on the same logger: Django logs a PermissionDenied (403) with its full traceback
(django.core.handlers.exception.response_for_exception) and a 404 as "Not Found: /path". A refusal is
kotan.access doing its job, not a fault, so each becomes one line without traceback:
"refused 403 GET /path user=7".
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.exceptions import PermissionDenied
from django.http import Http404

WINDOW_SECONDS = 60.0

# Answers that refuse a request: not logged in (the API's 401), forbidden, not found (or hidden as not
# found: a kab/kota outside the user's scope), wrong method, a respondent link used or expired.
REFUSED_STATUSES = frozenset({401, 403, 404, 405, 410})


class DatabaseUnavailableFilter(logging.Filter):
    def __init__(self, name: str = "", window: float = WINDOW_SECONDS) -> None:
        super().__init__(name)
        self.window = window
        self.lock = threading.Lock()
        self.last_line: float | None = None  # time.monotonic() of the last line let through
        self.count = 0  # requests answered 503 since then (the one let through included)

    def filter(self, record: logging.LogRecord) -> bool:
        # Imported here: logging is configured by django.setup() before the apps are loaded.
        from kotan.infra.errors import database_unavailable

        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and database_unavailable(exc):
            reason = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0][:200]}"
        else:
            # /readyz answers 503 without an exception and leaves the reason on the request.
            reason = getattr(getattr(record, "request", None), "database_unavailable", None)
            if not reason:
                return True
        now = time.monotonic()
        with self.lock:
            self.count += 1
            if self.last_line is not None and now - self.last_line < self.window:
                return False
            since = None if self.last_line is None else now - self.last_line
            count, self.count, self.last_line = self.count, 0, now
        if since is None:
            record.msg, record.args = "database unavailable: %d request(s) answered 503 (%s)", (count, reason)
        else:
            record.msg = "database unavailable: %d request(s) answered 503 in the last %d s (%s)"
            record.args = (count, round(since), reason)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        record.levelno, record.levelname = logging.ERROR, "ERROR"
        return True


def _user_id(request) -> str:
    """The user's id, "anonymous", or "-" when it cannot be told (a request refused before the
    authentication middleware ran, or a session that cannot be read)."""
    try:
        user = request.user
        return str(user.pk) if user.is_authenticated else "anonymous"
    except Exception:  # a log line must never break the answer it describes
        return "-"


class RefusedRequestFilter(logging.Filter):
    """A django.request record of a refused request (REFUSED_STATUSES, raised as PermissionDenied or
    Http404 or answered without an exception) rewritten to one line without traceback. The path is
    logged without its query string (which may carry a token). Other records pass untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if status not in REFUSED_STATUSES or request is None:
            return True
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and not isinstance(exc, (PermissionDenied, Http404)):
            return True
        record.msg = "refused %d %s %s user=%s"
        record.args = (status, request.method, request.path, _user_id(request))
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
