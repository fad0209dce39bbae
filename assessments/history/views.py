"""The change history page of one collection: visible to whoever may see the kab/kota."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import pages
from . import reads as history


@login_required
@require_GET
def collection_history(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    kind = request.GET.get("jenis", "")
    kinds = (kind,) if kind in history.KINDS else history.KINDS
    page, entries = history.collection_history_page(collection, request.GET.get("hal"), kinds=kinds)
    return render(
        request,
        "assessments/history.html",
        {
            "collection": collection,
            "collection_url": pages.collection_url(collection),
            "page": page,
            "entries": entries,
            "kind": kind if kind in history.KINDS else "",
            "kinds": [
                ("", _("Semua")),
                (history.ANSWER, _("Jawaban")),
                (history.QUESTIONNAIRE, _("Kuesioner")),
                (history.COLLECTION, _("Koleksi")),
                (history.EVIDENCE, _("Bukti dukung")),
            ],
        },
    )
