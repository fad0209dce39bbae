"""Download views: ranking CSV/XLSX, cached PDF reports with their status and "Siapkan PDF", and BNN
pusat's "Render ulang".

Views are thin: scope comes from kotan.access, files from reports.exports / reports.rendering, a report
link's state from reports.report_links. A PDF is never rendered here: a missing one is asked of Celery
(reports.scheduling.request_report_render) and the page shows it being prepared until it is there.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Period
from kotan import access
from regions.models import Regency
from reports import exports, plan_document, rendering, report_links, scheduling
from reports.models import RenderedReport
from reports.report_links import ReportLink


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


def may_see_report(user, scope_kind: str, key: str) -> bool:
    """A report may be read by whoever may see every kab/kota it shows (kotan.access decides that)."""
    if scope_kind == RenderedReport.ScopeKind.NATIONAL:
        return access.is_national(user)
    if scope_kind == RenderedReport.ScopeKind.PROVINCE:
        total = Regency.objects.filter(province__code=key).count()
        return total > 0 and access.visible_regencies(user).filter(province__code=key).count() == total
    if scope_kind in (RenderedReport.ScopeKind.REGENCY, RenderedReport.ScopeKind.PLAN):
        return access.visible_regencies(user).filter(code=key).exists()
    return False


def report_status(user, period: Period | dict, scope_kind: str, key: str = "") -> ReportLink | None:
    """For a page: the PDF report's link in its state (reports.report_links); None if not allowed.
    `period` is a Period or a dict with "id" and "year" (reports.selectors.periods_for_reports).
    Template: {% include "reports/pdf/_report_link.html" with report=... %} (four or five queries)."""
    if not may_see_report(user, scope_kind, key):
        return None
    period_id, year = (period["id"], period["year"]) if isinstance(period, dict) else (period.pk, period.year)
    return report_links.link_state(period_id, year, scope_kind, key)


def _report_or_404(request: HttpRequest, year: int, scope: str, key: str) -> tuple[Period, str]:
    """The period and scope kind of a report URL, or 404: unknown, or not for this user (the same
    answer, so that a report's existence is not told to someone who may not read it)."""
    scope_kind = report_links.SCOPE_SLUGS.get(scope)
    if scope_kind is None or (scope_kind == RenderedReport.ScopeKind.NATIONAL) != (key == ""):
        raise Http404
    period = _period(year)
    if not may_see_report(request.user, scope_kind, key):
        raise Http404(_("Laporan tidak ditemukan."))
    return period, scope_kind


def _serve(link: ReportLink) -> FileResponse:
    response = FileResponse(
        default_storage.open(link.file_name, "rb"),
        as_attachment=True,
        filename=link.file_name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
    response["X-Rendered-At"] = link.rendered_at.isoformat()
    return response


def _report_page(year: int, scope_kind: str, key: str) -> str:
    if scope_kind == RenderedReport.ScopeKind.PLAN:
        return reverse("plans:plan", kwargs={"year": year, "regency_code": key})
    name = {
        RenderedReport.ScopeKind.NATIONAL: "reports:national",
        RenderedReport.ScopeKind.PROVINCE: "reports:province",
        RenderedReport.ScopeKind.REGENCY: "reports:regency",
    }[scope_kind]
    return f"{reverse(name, args=[key] if key else [])}?tahun={year}"


def _asking_page(request: HttpRequest, year: int, scope_kind: str, key: str) -> str:
    """The page a report link's fragment goes into, for its forms without JavaScript: the page htmx
    asked from (its HX-Current-URL, when it is ours), else the report's own dashboard page."""
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    if not page.path or (page.netloc and page.netloc != request.get_host()):
        return _report_page(year, scope_kind, key)
    return urlunsplit(("", "", page.path, page.query, ""))


def _link_fragment(request: HttpRequest, link: ReportLink, scope_kind: str, key: str) -> HttpResponse:
    page = _asking_page(request, link.year, scope_kind, key)
    response = render(request, "reports/pdf/_report_link_state.html", {"report": link, "next": page})
    add_never_cache_headers(response)
    return response


def _nothing_to_print(scope_kind: str) -> str:
    if scope_kind == RenderedReport.ScopeKind.PLAN:
        return _("Rencana aksi belum disusun.")
    return _("Belum ada skor untuk laporan ini.")


@require_GET
@login_required
def plan_docx(request: HttpRequest, year: int, key: str) -> HttpResponse:
    """The action plan's DOCX, rendered with its PDF (reports.plan_document); 404 until it is stored (the
    plan page offers it once "Siapkan PDF" has made both)."""
    period, scope_kind = _report_or_404(request, year, "rencana-aksi", key)
    stored = rendering.cached(period, scope_kind, key, RenderedReport.Kind.DOCX)
    if stored is None or not stored.file or not default_storage.exists(stored.file.name):
        raise Http404(_("DOCX rencana aksi belum disiapkan. Siapkan PDF-nya dahulu."))
    response = FileResponse(
        default_storage.open(stored.file.name, "rb"),
        as_attachment=True,
        filename=stored.file.name.rsplit("/", 1)[-1],
        content_type=plan_document.DOCX_TYPE,
    )
    response["X-Rendered-At"] = stored.rendered_at.isoformat()
    return response


@require_GET
@login_required
def report_pdf(request: HttpRequest, year: int, scope: str, key: str = "") -> HttpResponse:
    """The PDF when it is stored; otherwise its render is asked of Celery (once, however often this is
    opened) and a page says it is being prepared, updating itself when it is done. A GET may ask: the
    render only fills the report cache, changes no data and is queued at most once per POLL_LIMIT."""
    period, scope_kind = _report_or_404(request, year, scope, key)
    link = report_links.link_state(period.pk, year, scope_kind, key)
    if link.state == report_links.NO_SCORES:
        # Nothing would ever be rendered: say so instead of "sedang disiapkan" forever.
        raise Http404(_nothing_to_print(scope_kind))
    if not link.has_file and link.state in report_links.STARTABLE:
        scheduling.request_report_render(period.pk, scope_kind, key)
        link = report_links.link_state(period.pk, year, scope_kind, key)  # eager tasks: rendered by now
    if link.has_file:  # an outdated one too: it is what there is until the new one is rendered
        return _serve(link)
    return render(
        request,
        "reports/pdf/pending.html",
        {"period": period, "report": link, "retry": request.get_full_path()},
        status=202 if link.state == report_links.PENDING else 200,
    )


@require_GET
@login_required
def report_pdf_status(request: HttpRequest, year: int, scope: str, key: str = "") -> HttpResponse:
    """The report link in its state now, as an HTML fragment: what the page polls while it is pending."""
    period, scope_kind = _report_or_404(request, year, scope, key)
    return _link_fragment(request, report_links.link_state(period.pk, year, scope_kind, key), scope_kind, key)


@require_POST
@login_required
def report_pdf_prepare(request: HttpRequest, year: int, scope: str, key: str = "") -> HttpResponse:
    """ "Siapkan PDF" / "Perbarui PDF" / "Coba lagi": ask for the report's render unless one is running or
    it is up to date. htmx gets the link's new state; without JavaScript, back to the page."""
    period, scope_kind = _report_or_404(request, year, scope, key)
    link = report_links.link_state(period.pk, year, scope_kind, key)
    if link.state == report_links.NO_SCORES:
        raise Http404(_nothing_to_print(scope_kind))
    if link.state in report_links.STARTABLE:
        scheduling.request_report_render(period.pk, scope_kind, key)
        link = report_links.link_state(period.pk, year, scope_kind, key)
    if request.headers.get("HX-Request"):
        return _link_fragment(request, link, scope_kind, key)
    return redirect(_safe_next(request, fallback=_report_page(year, scope_kind, key)))


def _safe_next(request: HttpRequest, *, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@login_required
def render_again(request: HttpRequest, year: int) -> HttpResponse:
    """BNN pusat: render every report of the period again now (in the background)."""
    if not access.is_national(request.user):
        raise Http404
    period = _period(year)
    scheduling.render_all_now(period.pk, force=True)
    messages.success(
        request,
        _("Laporan periode %(year)s sedang dirender ulang; muat ulang halaman ini beberapa saat lagi.")
        % {"year": year},
    )
    return redirect(_safe_next(request, fallback=reverse("home")))
