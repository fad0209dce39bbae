"""BNN pusat's and a BNNP's microdata page (/laporan/<year>/mikrodata/): the scope's export in its state,
"Siapkan berkas" (a Celery build, reports.microdata_tasks), and the downloads of the built files. Scope
comes from kotan.access (can_export_microdata); the files are never built on a request."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Period
from kotan import access
from kotan.lib.stored_files import download_name
from regions.models import Province
from reports import microdata_exports, microdata_tasks
from reports.microdata import FORMATS

FORMAT_LABELS = {
    "csv": "CSV",
    "xlsx": "XLSX",
    "dta": "Stata (.dta)",
    "sav": "SPSS (.sav)",
    "codebook": _lazy("Kodebuku (XLSX)"),
}


def _scope(request: HttpRequest, year: int, code: str) -> tuple[Period, str]:
    """The period and the scope asked for (a province code, or the user's own scope when none): a role
    with no microdata is refused (403), a province outside the user's scope is not found (404)."""
    home = access.microdata_scope(request.user)
    if home is None:
        raise PermissionDenied
    period = get_object_or_404(Period.objects.select_related("instrument"), year=year)
    scope = code if code else home
    if scope and not Province.objects.filter(code=scope).exists():
        raise Http404(_("Provinsi tidak ditemukan."))
    if not access.can_export_microdata(request.user, scope):
        raise Http404(_("Provinsi tidak ditemukan."))
    return period, scope


def _page_url(year: int, scope: str) -> str:
    url = reverse("reports:microdata", args=[year])
    return f"{url}?provinsi={scope}" if scope else url


@require_GET
@login_required
def microdata_page(request: HttpRequest, year: int) -> HttpResponse:
    period, scope = _scope(request, year, request.GET.get("provinsi", ""))
    state = microdata_exports.state_of(period, scope)
    context = {
        "period": period,
        "scope": scope,
        "scope_name": Province.objects.filter(code=scope).values_list("name", flat=True).first()
        if scope
        else "",
        "export": state,
        "formats": [
            (fmt, FORMAT_LABELS[fmt], state.files[fmt]["size"]) for fmt in FORMATS if fmt in state.files
        ],
        "provinces": access.visible_provinces(request.user).order_by("code")
        if access.is_national(request.user)
        else [],
        "poll_seconds": microdata_exports.POLL_SECONDS,
    }
    response = render(request, "reports/microdata.html", context)
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def microdata_prepare(request: HttpRequest, year: int) -> HttpResponse:
    """ "Siapkan berkas": queue the scope's build unless one is queued (a double click builds once)."""
    period, scope = _scope(request, year, request.POST.get("provinsi", ""))
    if microdata_exports.state_of(period, scope).state in microdata_exports.STARTABLE:
        microdata_tasks.request_build(period, scope)
    return redirect(_page_url(year, scope))


@require_GET
@login_required
def microdata_file(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    period, scope = _scope(request, year, request.GET.get("provinsi", ""))
    if fmt not in FORMATS:
        raise Http404
    stored = microdata_exports.state_of(period, scope).files.get(fmt)
    if stored is None:
        raise Http404(_("Berkas mikrodata belum disiapkan."))
    return download_name(
        default_storage,
        stored["name"],
        filename=stored["name"].rsplit("/", 1)[-1],
        content_type=FORMATS[fmt][1],
        missing=_("Berkas mikrodata belum disiapkan."),
    )
