"""Dashboards from cache, and 304s for an unchanged dashboard: a page's fingerprint, its data built once per
fingerprint, its ETag.

A dashboard's fingerprint (`Fingerprint`) is everything its figures and tables are built from that may
change: reports.selectors.dashboard_inputs (scores, collection states, the period's complete
questionnaires and stored reports: two queries), the periods as the picker lists them, today's date
(what is provisional), the period, the page and its scope (kab/kota, province, nation, kind filter, the
user's reach), the language, and this release's templates, code and translations (`RELEASE`). The data
part of a page (rows, totals, charts: everything but the per-user parts) is kept in Django's cache under
that fingerprint (`cached`): Redis in production, and a Redis outage is an empty cache
(kotan.infra.cache), so a miss only rebuilds. A stored score changes the inputs, so the next request
builds the page anew.

The ETag (`respond`) adds what is personal on the page: the user, the session and CSRF secret (the forms
of the page carry a token of it), and the PDF link's state (reports.report_links, read on each request).
A request with messages waiting gets no ETag (a 304 would hide them). `Cache-Control: private, no-cache`:
the browser keeps the page for this user only and asks each time; a proxy keeps nothing. No
Last-Modified: the language, the PDF link and the quota counts have no date, so an If-Modified-Since
answer could lie.

Not in the fingerprint: the instrument's labels and quotas (read-only once its period has questionnaires,
instruments.models.InstrumentQuerySet.locked) and the regions table (changed by `load_regions` only);
after either, clear the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control

from reports import selectors

# Seconds a page's data stays cached: a fingerprint that no longer comes back is dropped after this.
CACHE_SECONDS = 24 * 60 * 60
_SOURCES = ("templates", "reports", "locale")


def _release() -> str:
    """This release's templates, code and translations (names, sizes, times): a deploy changes the ETags
    and the cache keys, so a page drawn by older code is never answered 304 nor served from cache."""
    digest = hashlib.sha256()
    for folder in _SOURCES:
        for path in sorted((Path(settings.BASE_DIR) / folder).rglob("*")):
            if path.suffix in (".html", ".py", ".mo", ".svg", ".json") and path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


RELEASE = _release()


def reach(user) -> tuple:
    """The user's scope as kotan.access reads it: pages built for one reach serve only that reach."""
    return (user.role, user.province_id, user.regency_id, user.is_superuser)


@dataclass(frozen=True)
class Fingerprint:
    """What a page's data is built from (see the module docstring); `digest` names its cache entry."""

    page: tuple  # the page's name and scope, e.g. ("province", "35", kind, reach)
    period: int
    inputs: tuple  # reports.selectors.dashboard_inputs
    periods: tuple  # the periods as the picker lists them
    today: str
    language: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(repr((RELEASE, self)).encode()).hexdigest()


def fingerprint(page: tuple, period: dict, periods: list[dict]) -> Fingerprint:
    return Fingerprint(
        page=page,
        period=period["id"],
        inputs=selectors.dashboard_inputs(period["id"]),
        periods=tuple(tuple(sorted(p.items())) for p in periods),
        today=timezone.localdate().isoformat(),
        language=translation.get_language() or "",
    )


def cached(found: Fingerprint, build: Callable[[], dict]) -> dict:
    """The page's data for this fingerprint: from the cache, else built now and kept (its charts are
    reports.charts.Figure, two SVG strings, which come back from the cache as they went in)."""
    key = f"kotan:dashboard:{found.digest}"
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, CACHE_SECONDS)
    return data


def etag(request: HttpRequest, found: Fingerprint, personal: tuple) -> str | None:
    """The page's ETag for this user and session, or None when a 304 could hide something (messages)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(messages.get_messages(request)):
        return None
    user = request.user
    # the menu shows the name, the role and scope (in the fingerprint's page) and the admin link
    mine = (user.pk, user.get_username(), user.get_full_name(), user.is_staff)
    mine += (request.session.session_key, secret, personal)
    return '"' + hashlib.sha256(repr((found.digest, mine)).encode()).hexdigest()[:32] + '"'


def respond(
    request: HttpRequest, found: Fingerprint, personal: tuple, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """304 when the browser holds this very page (If-None-Match), else render() with the page's ETag.
    `personal`: what else the page shows for this user (its PDF link's state)."""
    tag = etag(request, found, personal)
    if tag is not None:
        unchanged = get_conditional_response(request, etag=tag)
        if unchanged is not None:
            unchanged["ETag"] = tag
            patch_cache_control(unchanged, private=True, no_cache=True)
            return unchanged
    response = render()
    if tag is not None and response.status_code == 200:
        response["ETag"] = tag
    patch_cache_control(response, private=True, no_cache=True)
    return response
