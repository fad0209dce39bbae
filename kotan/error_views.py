"""Error answers in the user's language instead of Django's bare English pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def wants_json(request: HttpRequest) -> bool:
    """Autosave and the other fetch() calls ask for JSON (static/js/autosave.js)."""
    return "application/json" in request.headers.get("Accept", "") or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a body Django cannot read (not UTF-8, too large, too many fields, broken multipart) or a
    suspicious request. Nothing was done with it; the JSON answer fits autosave's error display."""
    message = _("Permintaan tidak dapat dibaca (rusak atau terlalu besar). Tidak ada yang disimpan.")
    if wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
