"""Download views: ranking CSV/XLSX, cached PDF reports, and BNN pusat's "Render ulang".

Views are thin: scope comes from kotan.access, files from reports.exports / reports.rendering.
A PDF is never rendered here: a missing one is asked of Celery and the page says it is being prepared.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Period
from kotan import access
from regions.models import Regency
from reports import exports, rendering
from reports.models import RenderedReport, Score

SCOPE_SLUGS = {
    "nasional": RenderedReport.ScopeKind.NATIONAL,
    "provinsi": RenderedReport.ScopeKind.PROVINCE,
    "kabkota": RenderedReport.ScopeKind.REGENCY,
}


def _period(year: int) -> Period:
    return get_object_or_404(Period.objects.select_related("instrument"), year=year)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def ranking_csv(request: HttpRequest, year: int) -> HttpResponse:
    period = _period(year)
    rows, variables = exports.ranking_export_frame(period, request.user)
    return _download(
        exports.ranking_csv(rows, variables), f"peringkat-ikotan-{year}.csv", "text/csv; charset=utf-8"
    )


@require_GET
@login_required
def ranking_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    period = _period(year)
    rows, variables = exports.ranking_export_frame(period, request.user)
    title = _("Peringkat nasional IKOTAN %(year)s") % {"year": year}
    return _download(
        exports.ranking_xlsx(
            rows, variables, metadata=exports.ranking_metadata(period, request.user, rows, title=title)
        ),
        f"peringkat-ikotan-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _has_scores(period: Period, scope_kind: str, key: str) -> bool:
    scores = Score.objects.filter(
        collection__period=period, instrument_id=period.instrument_id, basis=Score.Basis.CURRENT
    )
    if scope_kind == RenderedReport.ScopeKind.REGENCY:
        scores = scores.filter(collection__regency__code=key)
    elif scope_kind == RenderedReport.ScopeKind.PROVINCE:
        scores = scores.filter(collection__regency__province__code=key)
    return scores.exists()


def may_see_report(user, scope_kind: str, key: str) -> bool:
    """A report may be read by whoever may see every kab/kota it shows (kotan.access decides that)."""
    if scope_kind == RenderedReport.ScopeKind.NATIONAL:
        return access.is_national(user)
    if scope_kind == RenderedReport.ScopeKind.PROVINCE:
        total = Regency.objects.filter(province__code=key).count()
        return total > 0 and access.visible_regencies(user).filter(province__code=key).count() == total
    if scope_kind == RenderedReport.ScopeKind.REGENCY:
        return access.visible_regencies(user).filter(code=key).exists()
    return False


def report_status(user, period: Period | dict, scope_kind: str, key: str = "") -> dict | None:
    """For a page: the PDF link, when it was rendered and from which scores; None if not allowed.
    `period` is a Period or a dict with "id" and "year" (reports.selectors.periods_for_reports).
    Template: {% include "reports/pdf/_report_link.html" with report=... %} (one or two queries)."""
    if not may_see_report(user, scope_kind, key):
        return None
    period_id, year = (period["id"], period["year"]) if isinstance(period, dict) else (period.pk, period.year)
    slug = {v: k for k, v in SCOPE_SLUGS.items()}[scope_kind]
    args = [year, slug] + ([key] if key else [])
    name = "reports:report_pdf_scoped" if key else "reports:report_pdf"
    cached = rendering.cached(period_id, scope_kind, key)
    return {
        "url": reverse(name, args=args),
        "rendered_at": cached.rendered_at if cached and cached.file else None,
        "inputs_at": (cached.data or {}).get("inputs_at") if cached else None,
        "year": year,
    }


@require_GET
@login_required
def report_pdf(request: HttpRequest, year: int, scope: str, key: str = "") -> HttpResponse:
    scope_kind = SCOPE_SLUGS.get(scope)
    if scope_kind is None or (scope_kind == RenderedReport.ScopeKind.NATIONAL) != (key == ""):
        raise Http404
    period = _period(year)
    if not may_see_report(request.user, scope_kind, key):
        raise Http404(_("Laporan tidak ditemukan."))
    cached = rendering.cached(period, scope_kind, key)
    if cached and cached.file and default_storage.exists(cached.file.name):
        response = FileResponse(
            default_storage.open(cached.file.name, "rb"),
            as_attachment=True,
            filename=cached.file.name.rsplit("/", 1)[-1],
            content_type="application/pdf",
        )
        response["X-Rendered-At"] = cached.rendered_at.isoformat()
        return response
    if not _has_scores(period, scope_kind, key):
        # Nothing would ever be rendered: say so instead of "sedang disiapkan" forever.
        raise Http404(_("Belum ada skor untuk laporan ini."))
    rendering.request_scope_render(period.pk, scope_kind, key)
    return render(
        request,
        "reports/pdf/pending.html",
        {"period": period, "scope_kind": scope_kind, "key": key, "retry": request.get_full_path()},
        status=202,
    )


@require_POST
@login_required
def render_again(request: HttpRequest, year: int) -> HttpResponse:
    """BNN pusat: render every report of the period again now (in the background)."""
    if not access.is_national(request.user):
        raise Http404
    period = _period(year)
    rendering.render_all_now(period.pk, force=True)
    messages.success(
        request,
        _("Laporan periode %(year)s sedang dirender ulang; muat ulang halaman ini beberapa saat lagi.")
        % {"year": year},
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return redirect(target)
