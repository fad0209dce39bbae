"""The installable web app's files: the service worker (/sw.js), the web manifest (/manifest.webmanifest)
and the offline fallback page. Views rather than static files: the worker must sit at the site's root to
control every page (scope "/"), and it lists the hashed static URLs the field page needs, which only
`static()` knows after collectstatic.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# The navbar's colour (.bg-kotan in static/css/kotan.css): the phone's status bar matches the site.
THEME_COLOR = "#0b3d6e"
BACKGROUND_COLOR = "#f8f9fa"  # Bootstrap's bg-light, the page background behind the splash icon

# What the field page loads: precached at install, so the page opens with no network.
PRECACHE = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/idb/idb.umd.js",
    "css/kotan.css",
    "css/entry.css",
    "css/fieldkit.css",
    "js/notifications.js",
    "js/fieldkit/store.js",
    "js/fieldkit/badge.js",
    "js/fieldkit/app.js",
    "favicon.svg",
    "icons/icon-192.png",
]

ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
]


def _worker_config() -> dict:
    assets = [static(path) for path in PRECACHE]
    field_url = reverse("assessments:fieldkit_home")
    offline_url = reverse("assessments:fieldkit_offline")
    # A new list (a changed static file gets a new hashed name) is a new cache: the old one is dropped.
    version = hashlib.sha256(json.dumps([assets, field_url, offline_url]).encode()).hexdigest()[:12]
    return {"version": version, "assets": assets, "field_url": field_url, "offline_url": offline_url}


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "assessments/fieldkit/sw.js",
        {"config": json.dumps(_worker_config(), indent=2)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    # Always revalidated: a new deploy's worker (new asset names) must reach the browser at once.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "KOTAN",
        "short_name": "KOTAN",
        "description": _("Survei IKOTAN di lapangan, juga tanpa sinyal."),
        "lang": "id",
        "start_url": reverse("assessments:fieldkit_home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it has no copy of while there is no network. Public and
    without data: it is cached once for whoever uses the browser."""
    return render(request, "assessments/fieldkit/offline.html")
