"""The BNNP's monev pages of action plans: a follow-up recorded on an item (with an evidence file, served
back only through a scope-checked download), a comment on the plan (the BNNP and the kab/kota's BNNK),
the extra context the plan page shows (what the user may correct or remove: plans.monev_changes), and the
province page /rencana-aksi/provinsi/<code>/. Scope comes from kotan.access; the rows come from
plans.monev_selectors; a refusal is said in Indonesian, never a 500."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import pages as assessment_pages
from assessments.evidence import services as evidence_services
from kotan import access
from kotan.lib import stored_files
from kotan.lib.service_errors import ServiceError

from . import monev_selectors, monev_services
from .models import ActionItem, ActionPlan, FollowUp


def plan_url(collection) -> str:
    return reverse(
        "plans:plan", kwargs={"year": collection.period.year, "regency_code": collection.regency.code}
    )


def plan_context(user, collection, plan: ActionPlan | None) -> dict:
    """What the plan page adds for monev: follow-ups by item, the comments, and who may write them."""
    province = collection.regency.province
    province_url = ""
    if access.can_monitor_province(user, province):
        province_url = reverse("plans:province", kwargs={"code": province.code})
    if plan is None:
        return {
            "follow_ups": {},
            "comments": [],
            "can_follow_up": False,
            "can_comment": False,
            "can_change_follow_ups": False,
            "changeable_comments": set(),
            "province_url": province_url,
        }
    comments = monev_selectors.comments_of(plan)
    return {
        "province_url": province_url,
        "follow_ups": monev_selectors.follow_ups_by_item(plan),
        "comments": comments,
        "can_follow_up": access.can_follow_up_plan(user, collection.regency),
        "can_comment": access.can_comment_plan(user, collection.regency),
        # Correcting or removing (plans.monev_changes): the follow-ups' rule, the comments one by one.
        "can_change_follow_ups": access.can_change_follow_up(user, collection.regency),
        "changeable_comments": {
            c.pk for c in comments if access.can_change_comment(user, collection.regency, c.author_id)
        },
        "today": timezone.localdate(),
        "accept": evidence_services.ACCEPT_ATTR,
        "max_size": evidence_services.max_size_label(),
    }


def plan_of(request, year: int, regency_code: str):
    collection = assessment_pages.get_collection(request.user, year, regency_code)
    plan = ActionPlan.objects.filter(collection=collection).first()
    if plan is None:
        raise Http404(_("Rencana aksi belum disusun."))
    return collection, plan


def parse_date(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        raise ServiceError(_("Tanggal tidak valid (format TTTT-BB-HH).")) from None


def follow_up_fields(request: HttpRequest) -> dict:
    """A follow-up form's fields as monev_services takes them (recording one, or correcting it)."""
    return {
        "date": parse_date(request.POST.get("date", "")[:20]),
        "progress": request.POST.get("progress", "")[:10],
        "note": request.POST.get("note", ""),
        "uploaded_file": request.FILES.get("file"),
    }


@login_required
@require_POST
def follow_up_add(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, plan = plan_of(request, year, regency_code)
    item = ActionItem.objects.filter(pk=pk, plan=plan).select_related("plan__collection__regency").first()
    if item is None:
        raise Http404(_("Butir rencana aksi tidak ditemukan."))
    try:
        monev_services.follow_up_add(user=request.user, item=item, **follow_up_fields(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tindak lanjut dicatat."))
    return redirect(plan_url(collection) + f"#butir-{item.pk}")


@login_required
@require_POST
def comment_add(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection, plan = plan_of(request, year, regency_code)
    raw = request.POST.get("item", "")
    item = None
    if raw:
        item = ActionItem.objects.filter(
            pk=int(raw) if raw.isdigit() and len(raw) < 12 else 0, plan=plan
        ).first()
    try:
        if raw and item is None:
            raise ServiceError(_("Butir tidak termasuk rencana aksi ini."))
        monev_services.comment_add(user=request.user, plan=plan, text=request.POST.get("text", ""), item=item)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Komentar dikirim."))
    return redirect(plan_url(collection) + "#komentar")


@login_required
@require_GET
def follow_up_file(request: HttpRequest, year: int, regency_code: str, pk: int) -> FileResponse:
    """A follow-up's file, to whoever may see the kab/kota (another one: 404), as an attachment."""
    _collection, plan = plan_of(request, year, regency_code)
    row = FollowUp.objects.filter(pk=pk, item__plan=plan).exclude(file="").first()
    if row is None:
        raise Http404(_("Berkas tidak ditemukan."))
    return stored_files.download(
        row.file,
        filename=row.original_name,
        content_type=row.content_type,
        missing=_("Berkas tidak ditemukan di server."),
    )


@login_required
@require_GET
def province(request: HttpRequest, code: str) -> HttpResponse:
    """The province's plans in a period (the current one, or ?tahun=): for its BNNP and BNN pusat."""
    found = access.get_province_or_404(request.user, code)
    if not access.can_monitor_province(request.user, found):
        raise PermissionDenied(_("Halaman monev provinsi hanya untuk BNNP provinsi ini dan BNN pusat."))
    raw = request.GET.get("tahun", "")
    period = monev_selectors.province_period(found, int(raw) if raw.isdigit() and len(raw) == 4 else None)
    summary = monev_selectors.province_summary(found, period, timezone.localdate()) if period else None
    years = monev_selectors.province_years(found)
    return render(
        request, "plans/monev/province.html", {"province": found, "summary": summary, "years": years}
    )
