"""The plan page's signed copy: the BNNK's upload of the plan the Tim Terpadu signed (plans.signing) and
its download, for whoever may see the kab/kota (its BNNK, its province's BNNP, BNN pusat; another one:
404), handed back only through kotan.lib.stored_files. A refusal is said on the plan page in Indonesian."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import pages as assessment_pages
from kotan.lib import stored_files
from kotan.lib.service_errors import ServiceError

from . import signing
from .models import ActionPlan


def _plan_of(request: HttpRequest, year: int, regency_code: str) -> ActionPlan:
    collection = assessment_pages.get_collection(request.user, year, regency_code)
    plan = ActionPlan.objects.filter(collection=collection).first()
    if plan is None:
        raise Http404(_("Rencana aksi belum disusun."))
    plan.collection = collection
    return plan


@login_required
@require_POST
def signed_upload(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    plan = _plan_of(request, year, regency_code)
    try:
        signing.signed_upload(user=request.user, plan=plan, uploaded_file=request.FILES.get("file"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rencana aksi bertanda tangan diunggah."))
    url = reverse("plans:plan", kwargs={"year": year, "regency_code": plan.collection.regency.code})
    return redirect(url + "#bertanda-tangan")


@login_required
@require_GET
def signed_file(request: HttpRequest, year: int, regency_code: str) -> FileResponse:
    """The current signed copy, as an attachment under its checked name."""
    plan = _plan_of(request, year, regency_code)
    if not plan.signed_file:
        raise Http404(_("Rencana aksi bertanda tangan belum diunggah."))
    return stored_files.download(
        plan.signed_file,
        filename=plan.signed_name,
        content_type=plan.signed_type,
        missing=_("Berkas tidak ditemukan di server."),
    )
