"""The BNNK's action plan pages under /rencana-aksi/<year>/<kab/kota code>/: the plan with its items and
the suggestions drawn from the verified score, and the item form. Scope comes from kotan.access (another
kab/kota is a 404; its BNNP and BNN pusat read); every change goes through plans.services, and a refusal
is said in Indonesian on the page, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import pages as assessment_pages
from assessments.models import Collection, Evidence
from kotan import access
from kotan.lib.service_errors import ServiceError

from . import monev, national, services, signing
from .forms import AgencyForm, ItemForm
from .models import ActionItem, ActionPlan, Agency


def _plan_url(collection: Collection) -> str:
    return reverse(
        "plans:plan", kwargs={"year": collection.period.year, "regency_code": collection.regency.code}
    )


def _plan_or_none(collection: Collection) -> ActionPlan | None:
    return ActionPlan.objects.filter(collection=collection).select_related("rad_document").first()


def _editable_plan(request, year: int, regency_code: str):
    """(collection, plan) when the user may change this plan, else (collection, None) with the reason said."""
    collection = assessment_pages.get_collection(request.user, year, regency_code)
    if not access.can_edit_plan(request.user, collection.regency):
        messages.error(request, _("Hanya BNNK kab/kota ini yang dapat mengubah rencana aksinya."))
        return collection, None
    plan = _plan_or_none(collection)
    if plan is None:
        messages.error(request, _("Rencana aksi belum disusun."))
    return collection, plan


def _item_of(plan: ActionPlan, pk: int) -> ActionItem:
    item = ActionItem.objects.filter(pk=pk, plan=plan).select_related("plan__collection__regency").first()
    if item is None:
        raise Http404(_("Butir rencana aksi tidak ditemukan."))
    return item


@login_required
def plan(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = assessment_pages.get_collection(request.user, year, regency_code)
    found = _plan_or_none(collection)
    can_edit = access.can_edit_plan(request.user, collection.regency)
    items = []
    if found is not None:
        items = list(found.items.select_related("agency").prefetch_related("indicators"))
    today = timezone.localdate()
    covered = {ind.pk for item in items for ind in item.indicators.all()}
    suggestions = services.suggest_items(collection) if can_edit and found is not None else []
    monev_ctx = monev.plan_context(request.user, collection, found)
    context = {
        "collection": collection,
        "plan": found,
        "items": [
            {"item": i, "overdue": i.is_overdue(today), "follow_ups": monev_ctx["follow_ups"].get(i.pk, [])}
            for i in items
        ],
        "can_edit": can_edit,
        "is_verified": services.verified_score(collection) is not None,
        "suggestions": [s for s in suggestions if s["indicator_id"] not in covered],
        "statuses": ActionItem.Status.choices,
        "agencies": Agency.objects.filter(regency=collection.regency) if can_edit else [],
        "agency_form": AgencyForm(),
        "documents": Evidence.objects.filter(collection=collection) if can_edit and found else [],
        "report_url": reverse("reports:regency", kwargs={"code": collection.regency.code}) + f"?tahun={year}",
        "effect_card": national.effect_card(collection) if found is not None else None,
        "signed_accept": signing.SIGNED_ACCEPT,
        "signed_label": signing.SIGNED_LABEL,
    }
    return render(request, "plans/plan.html", {**context, **monev_ctx})


@login_required
@require_POST
def plan_create(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = assessment_pages.get_collection(request.user, year, regency_code)
    try:
        services.plan_create(
            user=request.user, collection=collection, title=request.POST.get("title", "")[:200]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Rencana aksi dibuat. Terima usulan di bawah atau tambahkan butir sendiri.")
        )
    return redirect(_plan_url(collection))


def _render_item_form(request, collection, form, item=None, error: str = "", status: int = 200):
    context = {
        "collection": collection,
        "form": form,
        "item": item,
        "error": error,
        "plan_url": _plan_url(collection),
    }
    return render(request, "plans/item_form.html", context, status=status)


def _initial_from_query(request) -> dict:
    """A suggestion accepted: its indicator and strategy fill the new item's form (checked like any input)."""
    initial = {}
    raw = request.GET.get("indikator", "")
    if raw.isdigit() and len(raw) < 12:
        initial["indicators"] = [int(raw)]
    if request.GET.get("strategi", "") in ActionItem.Strategy.values:
        initial["strategy"] = request.GET["strategi"]
    return initial


def _save_item(request, collection, plan, item=None) -> HttpResponse:
    form = ItemForm(
        request.POST, instrument_id=collection.period.instrument_id, regency_id=collection.regency_id
    )
    if not form.is_valid():
        return _render_item_form(request, collection, form, item, _("Periksa isian di bawah."), status=400)
    data = services.ItemData(**{**form.cleaned_data, "indicators": list(form.cleaned_data["indicators"])})
    try:
        if item is None:
            services.item_add(user=request.user, plan=plan, data=data)
        else:
            services.item_edit(user=request.user, item=item, data=data)
    except ServiceError as exc:
        return _render_item_form(request, collection, form, item, exc.message, status=exc.status)
    messages.success(request, _("Butir rencana aksi disimpan."))
    return redirect(_plan_url(collection))


@login_required
def item_new(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection, plan = _editable_plan(request, year, regency_code)
    if plan is None:
        return redirect(_plan_url(collection))
    if request.method == "POST":
        return _save_item(request, collection, plan)
    form = ItemForm(
        initial=_initial_from_query(request),
        instrument_id=collection.period.instrument_id,
        regency_id=collection.regency_id,
    )
    return _render_item_form(request, collection, form)


@login_required
def item_edit(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, plan = _editable_plan(request, year, regency_code)
    if plan is None:
        return redirect(_plan_url(collection))
    item = _item_of(plan, pk)
    if request.method == "POST":
        return _save_item(request, collection, plan, item)
    initial = {
        "indicators": list(item.indicators.values_list("pk", flat=True)),
        "strategy": item.strategy,
        "agency": item.agency_id,
        "activity": item.activity,
        "expected_output": item.expected_output,
        "target_date": item.target_date,
        "budget": item.budget,
        "budget_source": item.budget_source,
    }
    form = ItemForm(
        initial=initial, instrument_id=collection.period.instrument_id, regency_id=collection.regency_id
    )
    return _render_item_form(request, collection, form, item)


@login_required
@require_POST
def item_status(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, plan = _editable_plan(request, year, regency_code)
    if plan is not None:
        item = _item_of(plan, pk)
        try:
            services.item_set_status(user=request.user, item=item, status=request.POST.get("status", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Status butir diperbarui."))
    return redirect(_plan_url(collection))


@login_required
@require_POST
def item_drop(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, plan = _editable_plan(request, year, regency_code)
    if plan is not None:
        services.item_drop(user=request.user, item=_item_of(plan, pk))
        messages.success(request, _("Butir rencana aksi dihapus (riwayatnya tetap tersimpan)."))
    return redirect(_plan_url(collection))


@login_required
@require_POST
def agency_add(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection, plan = _editable_plan(request, year, regency_code)
    if plan is not None:
        try:
            agency = services.agency_add(
                user=request.user, regency=collection.regency, name=request.POST.get("name", "")[:500]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Instansi/OPD “%(name)s” ditambahkan.") % {"name": agency.name})
    return redirect(_plan_url(collection))


@login_required
@require_POST
def plan_document(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    """Link (or unlink, empty) the RAD P4GN / signed plan: a document already among the collection's
    evidence, uploaded through the evidence checks."""
    collection, plan = _editable_plan(request, year, regency_code)
    if plan is not None:
        raw = request.POST.get("evidence", "")
        evidence = None
        if raw:
            evidence = Evidence.objects.filter(pk=int(raw) if raw.isdigit() and len(raw) < 12 else 0).first()
        try:
            if raw and evidence is None:
                raise ServiceError(_("Dokumen tidak ditemukan."))
            services.plan_set_document(user=request.user, plan=plan, evidence=evidence)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Dokumen rencana aksi diperbarui."))
    return redirect(_plan_url(collection))


@login_required
@require_POST
def agency_rename(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection, plan = _editable_plan(request, year, regency_code)
    if plan is not None:
        agency = Agency.objects.filter(pk=pk, regency=collection.regency).first()
        if agency is None:
            raise Http404(_("Instansi/OPD tidak ditemukan."))
        try:
            services.agency_rename(user=request.user, agency=agency, name=request.POST.get("name", "")[:500])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Nama instansi/OPD diperbarui."))
    return redirect(_plan_url(collection))
