"""Correcting and removing monev records on the plan page: a follow-up (the province's BNNP; a new file
replaces the old one only after passing the evidence checks) and a comment (its author). POST only; the
removal is confirmed in the page's form (no JavaScript needed). Scope comes from kotan.access through
plans.monev_services; another kab/kota is a 404, a refusal is said in Indonesian and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotan.lib.service_errors import ServiceError

from . import monev_services
from .models import FollowUp, PlanComment
from .monev import follow_up_fields, plan_of, plan_url


def _follow_up_of(request, year: int, regency_code: str, pk: int):
    collection, plan = plan_of(request, year, regency_code)
    row = (
        FollowUp.objects.filter(pk=pk, item__plan=plan)
        .select_related("item__plan__collection__regency")
        .first()
    )
    if row is None:
        raise Http404(_("Tindak lanjut tidak ditemukan."))
    return collection, row


def _comment_of(request, year: int, regency_code: str, pk: int):
    collection, plan = plan_of(request, year, regency_code)
    row = PlanComment.objects.filter(pk=pk, plan=plan).select_related("plan__collection__regency").first()
    if row is None:
        raise Http404(_("Komentar tidak ditemukan."))
    return collection, row


@login_required
@require_POST
def follow_up_edit(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, row = _follow_up_of(request, year, regency_code, pk)
    try:
        monev_services.follow_up_edit(user=request.user, row=row, **follow_up_fields(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tindak lanjut diperbarui."))
    return redirect(plan_url(collection) + f"#butir-{row.item_id}")


@login_required
@require_POST
def follow_up_delete(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, row = _follow_up_of(request, year, regency_code, pk)
    item_id = row.item_id
    try:
        monev_services.follow_up_delete(user=request.user, row=row)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tindak lanjut dihapus (riwayatnya tetap tersimpan)."))
    return redirect(plan_url(collection) + f"#butir-{item_id}")


@login_required
@require_POST
def comment_edit(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, row = _comment_of(request, year, regency_code, pk)
    try:
        monev_services.comment_edit(user=request.user, row=row, text=request.POST.get("text", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Komentar diperbarui."))
    return redirect(plan_url(collection) + "#komentar")


@login_required
@require_POST
def comment_delete(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, row = _comment_of(request, year, regency_code, pk)
    try:
        monev_services.comment_delete(user=request.user, row=row)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Komentar dihapus (riwayatnya tetap tersimpan)."))
    return redirect(plan_url(collection) + "#komentar")
