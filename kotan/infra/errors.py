"""Error answers in the user's language instead of Django's bare English pages: 400, and the 500 handler
that answers 503 while the database is away."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import resolve
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from kotan.lib.http import AUTOSAVE_URL_NAMES, wants_json

# Seconds a client is asked to wait before trying again while the database is away (Retry-After).
RETRY_AFTER_SECONDS = 5


def _is_autosave(request: HttpRequest) -> bool:
    # resolver_match is missing when the error came from a middleware before URL resolution; resolving
    # again is pure Python (no database).
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Exception:  # Resolver404, or a path the resolver chokes on
            return False
    return match.view_name in AUTOSAVE_URL_NAMES


def database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` (or an exception it was raised from) says the database cannot be reached: Django's
    OperationalError/InterfaceError or psycopg's own (a connection refused, dropped, a pool timeout)."""
    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        db_errors: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    else:
        db_errors = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, db_errors):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a body Django cannot read (not UTF-8, too large, too many fields, broken multipart) or a
    suspicious request. Nothing was done with it; the JSON answer fits autosave's error display."""
    message = _("Permintaan tidak dapat dibaca (rusak atau terlalu besar). Tidak ada yang disimpan.")
    if wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it inside its `except` block, so sys.exc_info() holds the exception.

    The database away (restarted, failed over, the pool empty) is a 503 with Retry-After: nothing
    already saved is lost, and the same request works again in a moment; autosave.js keeps the answer
    and retries. Anything else is a 500 page without details (the traceback goes to the log). Both pages
    render from a plain template without the request: no context processor runs, so no session, user
    or notification query is made (the database may be the very thing that failed).
    """
    unavailable = database_unavailable(sys.exc_info()[1])
    status = 503 if unavailable else 500
    if wants_json(request) or _is_autosave(request):
        if unavailable:
            message = _(
                "Server sedang tidak tersedia. Jawaban tetap di perangkat ini dan dikirim ulang otomatis."
            )
        else:
            message = _("Kesalahan di server. Jawaban tetap di perangkat ini dan dikirim ulang otomatis.")
        response: HttpResponse = JsonResponse({"ok": False, "message": message}, status=status)
    else:
        try:
            body = loader.get_template(f"{status}.html").render({})
        except Exception:  # a broken template or static manifest must not turn the answer into a traceback
            body = PLAIN_PAGE.format(
                title=_("Layanan sedang tidak tersedia") if unavailable else _("Kesalahan server")
            )
        response = HttpResponse(body, status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


PLAIN_PAGE = (
    '<!doctype html><html lang="id"><meta charset="utf-8"><title>{title} · KOTAN</title><h1>{title}</h1>'
)
