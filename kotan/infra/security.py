"""Request facts that security settings depend on: the client address login throttling counts."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from kotan.infra.errors import bad_request


def client_ip(request: HttpRequest) -> str:
    """The address django-axes locks out, also behind the nginx of deploy/.

    gunicorn only hears nginx (loopback or a unix socket), so REMOTE_ADDR is the same for everyone;
    nginx passes the real address in X-Real-IP. That header is believed only when the request came
    from a trusted proxy (TRUSTED_PROXIES), so nobody can pick their own address by sending it.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    forwarded = (request.META.get("HTTP_X_REAL_IP") or "").strip()
    if forwarded and remote in settings.TRUSTED_PROXIES and _is_ip(forwarded):
        return forwarded
    return remote


def _is_ip(text: str) -> bool:
    # axes stores the address in an inet column on PostgreSQL: anything else would be a 500.
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# The longest username a KOTAN user can have (accounts.User.username, AbstractUser's 150).
USERNAME_MAX_LENGTH = 150


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username django-axes counts failures for, cut to the longest a real one can be.

    Django's login form does not limit the length it passes to authenticate(), and axes stores the
    name in a 255-character column: a 5,000-character "username" was a 500 on PostgreSQL.
    """
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    username = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    return username[:USERNAME_MAX_LENGTH] if isinstance(username, str) else username


class RejectNulCharactersMiddleware:
    """A NUL character in the URL or query string is a 400, before any view sees it.

    No address or search of KOTAN can contain one, and PostgreSQL refuses NUL in text: a NUL in a
    regency code, link token or search term would otherwise reach a query and end in a 500.
    (Form fields are covered by Django's forms, which refuse NUL in text fields.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "\x00" in request.path or "\x00" in request.path_info or _query_has_nul(request):
            return bad_request(request, ValueError("NUL character in the request URL"))
        return self.get_response(request)


def _query_has_nul(request: HttpRequest) -> bool:
    raw = request.META.get("QUERY_STRING", "")
    if "%00" not in raw and "\x00" not in raw:
        return False
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
