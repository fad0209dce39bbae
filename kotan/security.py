"""Request facts that security settings depend on: the client address login throttling counts."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address django-axes locks out, also behind the nginx of deploy/.

    gunicorn only hears nginx (loopback or a unix socket), so REMOTE_ADDR is the same for everyone;
    nginx passes the real address in X-Real-IP. That header is believed only when the request came
    from a trusted proxy (TRUSTED_PROXIES), so nobody can pick their own address by sending it.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    forwarded = (request.META.get("HTTP_X_REAL_IP") or "").strip()
    if forwarded and remote in settings.TRUSTED_PROXIES and len(forwarded) <= 45:
        return forwarded
    return remote
