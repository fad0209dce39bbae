"""Excel bulk entry pages: download a group's template, upload, preview with problems, apply or cancel.

Only the BNNK of the kab/kota uses them (kotan.access; a foreign kab/kota is a 404, another role a 403).
Uploading, previewing and applying also need the collection open for entry (workflow.ensure_can_enter);
otherwise the user is sent back to the collection home with the reason. Any uploaded bytes end in a
page with an Indonesian message, never a 500. The logic lives in assessments/bulk/workbook.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from instruments.models import RespondentGroup
from kotan import access
from kotan.lib.service_errors import ServiceError

from .. import pages, workflow
from ..models import Collection
from . import workbook as excel

ABUSIVE_FACTOR = 4  # a body this far beyond the limit is refused before Django reads it
PROBLEMS_SHOWN = 200  # problems listed on the preview page; the rest are counted


def _session_key(collection: Collection) -> str:
    return f"excel_upload_{collection.pk}"


def _bnnk_collection(request: HttpRequest, year: int, regency_code: str) -> Collection:
    """The collection if the user is its kab/kota's BNNK; a foreign kab/kota 404, another role 403."""
    collection = pages.get_collection(request.user, year, regency_code)
    if not access.can_enter_data(request.user, collection.regency):
        raise PermissionDenied(_("Hanya petugas BNNK kabupaten/kota ini yang dapat mengimpor kuesioner."))
    return collection


def _closed_redirect(request: HttpRequest, collection: Collection) -> HttpResponse | None:
    """Back to the collection home with the reason when no questionnaire can be added now."""
    try:
        workflow.ensure_can_enter(request.user, collection)
        workflow.ensure_can_add_questionnaire(collection)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(pages.collection_url(collection))
    return None


def _groups(collection: Collection) -> list[RespondentGroup]:
    return list(
        RespondentGroup.objects.filter(instrument_id=collection.period.instrument_id).order_by("order", "id")
    )


def _pending(request: HttpRequest, collection: Collection) -> dict | None:
    pending = request.session.get(_session_key(collection))
    if not isinstance(pending, dict) or not isinstance(pending.get("token"), str):
        return None
    return pending


def _ids(request: HttpRequest, collection: Collection) -> dict:
    return {"user_id": request.user.pk, "collection_id": collection.pk}


@require_GET
@login_required
def template_download(request: HttpRequest, year: int, regency_code: str, group_code: str) -> HttpResponse:
    # Allowed whenever the user is the kab/kota's BNNK, also before the window opens (to print forms).
    collection = _bnnk_collection(request, year, regency_code)
    group = RespondentGroup.objects.filter(
        instrument_id=collection.period.instrument_id, code=group_code[:30]
    ).first()
    if group is None:
        raise Http404(_("Kelompok responden tidak ditemukan."))
    response = HttpResponse(excel.build_template(collection, group), content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{excel.template_filename(collection, group)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = _bnnk_collection(request, year, regency_code)
    closed = _closed_redirect(request, collection)
    if closed:
        return closed
    error = ""
    preview = None
    if request.method == "POST":
        length = request.META.get("CONTENT_LENGTH") or "0"
        too_big = length.isdigit() and int(length) > excel.MAX_BYTES * ABUSIVE_FACTOR
        berkas = None if too_big else request.FILES.get("berkas")
        if too_big:
            error = _("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": excel.max_mb_label()}
        elif berkas is None:
            error = _("Pilih berkas Excel (.xlsx) terlebih dahulu.")
        elif berkas.size > excel.MAX_BYTES:
            error = _("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": excel.max_mb_label()}
        else:
            data = berkas.read()
            preview = excel.parse_upload(collection, request.user, data, filename=berkas.name)
            if not preview.fatal:
                old = _pending(request, collection)
                if old:
                    excel.pending_discard(old["token"], **_ids(request, collection))
                token = excel.pending_save(data, **_ids(request, collection))
                request.session[_session_key(collection)] = {
                    "token": token,
                    "filename": preview.filename,
                    "at": timezone.now().isoformat(),
                }
                return redirect("assessments:excel_preview", year=year, regency_code=regency_code)
            error = preview.problems[0].message if preview.problems else _("Berkas tidak dapat dibaca.")
    return render(
        request,
        "assessments/excel_upload.html",
        {
            "collection": collection,
            "collection_url": pages.collection_url(collection),
            "groups": _groups(collection),
            "error": error,
            "pending": _pending(request, collection),
            "max_mb": excel.max_mb_label(),
            "max_rows": excel.MAX_ROWS,
        },
        status=400 if error else 200,
    )


def _load_preview(request: HttpRequest, collection: Collection, pending: dict) -> excel.Preview | None:
    data = excel.pending_load(pending["token"], **_ids(request, collection))
    if data is None:
        return None
    return excel.parse_upload(collection, request.user, data, filename=pending.get("filename", ""))


@require_GET
@login_required
def preview(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = _bnnk_collection(request, year, regency_code)
    closed = _closed_redirect(request, collection)
    if closed:
        return closed
    pending = _pending(request, collection)
    # Checked again on every view: answers, state or the instrument may have changed since the upload.
    result = _load_preview(request, collection, pending) if pending else None
    if result is None:
        request.session.pop(_session_key(collection), None)
        messages.info(request, _("Tidak ada unggahan yang menunggu. Unggah berkas Excel."))
        return redirect("assessments:excel_upload", year=year, regency_code=regency_code)
    problems = result.errors + sorted(result.warnings, key=lambda p: p.row or 0)
    return render(
        request,
        "assessments/excel_preview.html",
        {
            "collection": collection,
            "collection_url": pages.collection_url(collection),
            "preview": result,
            "pending": pending,
            "problems": problems[:PROBLEMS_SHOWN],
            "problems_hidden": max(0, len(problems) - PROBLEMS_SHOWN),
            "error_count": len(result.errors),
            "warning_count": len(result.warnings),
        },
        status=200,
    )


@require_POST
@login_required
def apply(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = _bnnk_collection(request, year, regency_code)
    home = pages.collection_url(collection)
    pending = _pending(request, collection)
    token = request.POST.get("unggahan", "")
    if pending is None or token != pending["token"]:
        messages.info(
            request,
            _(
                "Unggahan ini sudah diterapkan atau dibatalkan; tidak ada yang diimpor lagi. "
                "Periksa daftar kuesioner."
            ),
        )
        return redirect(home)
    ids = _ids(request, collection)
    data = excel.pending_claim(token, **ids)
    if data is None:
        # A double click: the first request took the file and is importing (or has imported) it.
        messages.info(request, _("Unggahan ini sedang atau sudah diterapkan; tidak diimpor dua kali."))
        return redirect(home)
    result = excel.parse_upload(collection, request.user, data, filename=pending.get("filename", ""))
    try:
        created = excel.apply_upload(result, request.user)
    except ServiceError as exc:
        excel.pending_release(token, **ids)
        messages.error(request, exc.message)
        if result.fatal or exc.code in ("closed", "forbidden", "locked_by_review"):
            return redirect(home)
        return redirect("assessments:excel_preview", year=year, regency_code=regency_code)
    except Exception:
        excel.pending_release(token, **ids)  # nothing was written (one transaction); the preview stays
        raise
    excel.pending_discard(token, **ids)
    request.session.pop(_session_key(collection), None)
    complete = sum(1 for q in created if q.state == "complete")
    messages.success(
        request,
        ngettext(
            "%(n)d kuesioner diimpor dari Excel (%(complete)d lengkap, %(draft)d draf).",
            "%(n)d kuesioner diimpor dari Excel (%(complete)d lengkap, %(draft)d draf).",
            len(created),
        )
        % {"n": len(created), "complete": complete, "draft": len(created) - complete},
    )
    return redirect(reverse("assessments:collection", args=[year, regency_code]) + "?oleh=excel#kuesioner")


@require_POST
@login_required
def cancel(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = _bnnk_collection(request, year, regency_code)
    pending = _pending(request, collection)
    if pending:
        excel.pending_discard(pending["token"], **_ids(request, collection))
    request.session.pop(_session_key(collection), None)
    messages.info(request, _("Impor dibatalkan; tidak ada kuesioner yang dibuat."))
    return redirect(pages.collection_url(collection))
