"""Writes of action plans (create a plan, add/edit/drop items, change an item's status) and the plain-data
suggestions drawn from a verified score. Each write checks scope (kotan.access) and its rules, runs in a
transaction and raises ServiceError with an Indonesian message when refused; history rows come from
django-simple-history on every save."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Collection, Evidence
from assessments.states import VERIFIED_STATES
from instruments.models import Indicator
from kotan import access
from kotan.lib.service_errors import NotAllowed, ServiceError
from scoring.gains import collection_gains
from scoring.models import Score

from . import rules
from .models import DEFAULT_AGENCIES, ActionItem, ActionPlan, Agency

STRATEGY_LABELS = dict(ActionItem.Strategy.choices)

# A collection's score is verified once the BNNP verified it (and stays so when BNN pusat finalises).


def verified_score(collection: Collection) -> Score | None:
    """The collection's verified score: its current stored score once verified or final, else None."""
    if collection.state not in VERIFIED_STATES:
        return None
    return Score.objects.filter(
        collection=collection, instrument_id=collection.period.instrument_id, basis=Score.Basis.CURRENT
    ).first()


def _ensure_can_edit(user, collection: Collection) -> None:
    if not access.can_edit_plan(user, collection.regency):
        raise NotAllowed(_("Hanya BNNK kab/kota ini yang dapat mengubah rencana aksinya."), code="forbidden")


# --- agencies ---------------------------------------------------------------------------------------------


def agencies_ensure_defaults(*, regency) -> None:
    """Create the default instansi/OPD of a kab/kota that has none yet (on the first plan)."""
    if Agency.objects.filter(regency=regency).exists():
        return
    for name in DEFAULT_AGENCIES:
        Agency.objects.get_or_create(regency=regency, name=name)


def _agency_name(regency, name: str, *, exclude_pk: int | None = None) -> str:
    """The name cleaned and checked: required, at most 120 characters, not already in the kab/kota's list."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_("Nama instansi/OPD wajib diisi."))
    if len(name) > 120:
        raise ServiceError(_("Nama instansi/OPD terlalu panjang (maksimum 120 karakter)."))
    if Agency.objects.filter(regency=regency, name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ServiceError(_("Instansi/OPD “%(name)s” sudah ada.") % {"name": name})
    return name


def _ensure_can_edit_agencies(user, regency) -> None:
    if not access.can_edit_plan(user, regency):
        raise NotAllowed(_("Hanya BNNK kab/kota ini yang dapat mengubah daftar instansi."), code="forbidden")


def agency_add(*, user, regency, name: str) -> Agency:
    _ensure_can_edit_agencies(user, regency)
    return Agency.objects.create(regency=regency, name=_agency_name(regency, name))


def agency_rename(*, user, agency: Agency, name: str) -> Agency:
    """Rename an instansi/OPD of the kab/kota (its items follow: they point at the row)."""
    _ensure_can_edit_agencies(user, agency.regency)
    agency.name = _agency_name(agency.regency, name, exclude_pk=agency.pk)
    agency.save(update_fields=["name"])
    return agency


# --- plans ---------------------------------------------------------------------------------------------


def has_plan(collection: Collection) -> bool:
    return ActionPlan.objects.filter(collection=collection).exists()


def plan_create(*, user, collection: Collection, title: str = "") -> ActionPlan:
    """The collection's plan; refused before its score is verified, or when it already has one."""
    _ensure_can_edit(user, collection)
    if verified_score(collection) is None:
        raise ServiceError(
            _("Rencana aksi baru dapat disusun setelah skor IKOTAN kab/kota ini diverifikasi BNNP."),
            code="not_verified",
        )
    title = " ".join(title.split()) or _("Rencana aksi KOTAN %(name)s %(year)s") % {
        "name": collection.regency.name,
        "year": collection.period.year,
    }
    exists = ServiceError(_("Kab/kota ini sudah memiliki rencana aksi untuk periode ini."), code="exists")
    if has_plan(collection):
        raise exists
    try:
        with transaction.atomic():
            agencies_ensure_defaults(regency=collection.regency)
            return ActionPlan.objects.create(collection=collection, title=title[:200], created_by=user)
    except IntegrityError:  # a concurrent request made it first (one plan per collection)
        raise exists from None


def plan_set_document(*, user, plan: ActionPlan, evidence: Evidence | None) -> ActionPlan:
    """Link the RAD P4GN / signed plan, a document already uploaded as evidence of the same collection."""
    _ensure_can_edit(user, plan.collection)
    if evidence is not None and evidence.collection_id != plan.collection_id:
        raise ServiceError(_("Dokumen harus bukti dukung kab/kota dan periode yang sama."))
    plan.rad_document = evidence
    plan.save(update_fields=["rad_document", "updated_at"])
    return plan


# --- items ----------------------------------------------------------------------------------------------


@dataclass
class ItemData:
    """What an item form holds (validated here, whatever form or client sent it)."""

    indicators: list[Indicator]
    strategy: str
    agency: Agency
    activity: str
    expected_output: str
    target_date: datetime.date
    budget: Decimal | None = None
    budget_source: str = ""


def _check_item(plan: ActionPlan, data: ItemData, today: datetime.date) -> None:
    period = plan.collection.period
    if not data.indicators:
        raise ServiceError(_("Pilih sedikitnya satu indikator sasaran."))
    if any(ind.variable.instrument_id != period.instrument_id for ind in data.indicators):
        raise ServiceError(
            _("Indikator sasaran harus dari instrumen periode %(year)s.") % {"year": period.year}
        )
    if data.strategy not in ActionItem.Strategy.values:
        raise ServiceError(_("Strategi tidak dikenal."))
    if data.agency.regency_id != plan.collection.regency_id:
        raise ServiceError(_("Instansi/OPD harus dari kab/kota ini."))
    if not data.activity.strip() or not data.expected_output.strip():
        raise ServiceError(_("Kegiatan dan keluaran yang diharapkan wajib diisi."))
    problem = rules.target_date_problem(data.target_date, period_year=period.year, today=today)
    if problem == "before_period":
        raise ServiceError(
            _("Target selesai tidak boleh sebelum tahun periode (%(year)s).") % {"year": period.year}
        )
    if problem == "too_far":
        raise ServiceError(
            _("Target selesai terlalu jauh (paling lama %(n)s tahun ke depan).")
            % {"n": rules.MAX_TARGET_YEARS}
        )
    if data.budget is not None and data.budget < 0:
        raise ServiceError(_("Anggaran tidak boleh negatif."))


def _apply(item: ActionItem, data: ItemData) -> None:
    item.strategy = data.strategy
    item.agency = data.agency
    item.activity = data.activity.strip()
    item.expected_output = data.expected_output.strip()
    item.target_date = data.target_date
    item.budget = data.budget
    item.budget_source = data.budget_source.strip()[:120]


def item_add(*, user, plan: ActionPlan, data: ItemData, today: datetime.date | None = None) -> ActionItem:
    _ensure_can_edit(user, plan.collection)
    _check_item(plan, data, today or timezone.localdate())
    item = ActionItem(plan=plan)
    _apply(item, data)
    with transaction.atomic():
        item.save()
        item.indicators.set(data.indicators)
    return item


def item_edit(*, user, item: ActionItem, data: ItemData, today: datetime.date | None = None) -> ActionItem:
    _ensure_can_edit(user, item.plan.collection)
    _check_item(item.plan, data, today or timezone.localdate())
    _apply(item, data)
    with transaction.atomic():
        item.save()
        item.indicators.set(data.indicators)
    return item


def item_drop(*, user, item: ActionItem) -> None:
    """Remove an item (its history rows keep what it was)."""
    _ensure_can_edit(user, item.plan.collection)
    item.delete()


def item_set_status(*, user, item: ActionItem, status: str) -> ActionItem:
    _ensure_can_edit(user, item.plan.collection)
    if status not in ActionItem.Status.values:
        raise ServiceError(_("Status tidak dikenal."))
    item.status = status
    item.completed_at = timezone.now() if status == ActionItem.Status.SELESAI else None
    item.save(update_fields=["status", "completed_at", "updated_at"])
    return item


# --- suggestions (plain data, nothing saved) ------------------------------------------------------------


def _gains(collection: Collection, by_id: dict[int, Indicator]) -> list[tuple[str, float]]:
    found = _engine_gains(collection)
    if found is None:
        return []
    return [
        (by_id[int(i)].code, float(g))
        for i, g in zip(found.gains["indicator_id"], found.gains["gain"], strict=True)
        if int(i) in by_id
    ]


def _engine_gains(collection: Collection):
    """The engine's gains of the collection (cached per input fingerprint by scoring.gains)."""
    return collection_gains(collection.pk, collection.period_id, collection.period.instrument)


def suggest_items(collection: Collection, *, top: int = 3, weakest: int = 3) -> list[dict]:
    """[] before the score is verified; else one proposal per chosen indicator, best lever first."""
    score = verified_score(collection)
    if score is None:
        return []
    indicators = list(
        Indicator.objects.filter(variable__instrument_id=collection.period.instrument_id).select_related(
            "variable"
        )
    )
    by_id = {ind.pk: ind for ind in indicators}
    by_code = {ind.code: ind for ind in indicators}
    scores = {code: float(v) for code, v in score.indicators.items() if code in by_code and v is not None}
    gains = dict(_gains(collection, by_id))
    proposals = []
    for code, reason in rules.pick_suggestions(list(gains.items()), scores, top=top, weakest=weakest):
        ind = by_code[code]
        strategy = rules.strategy_for_variable(ind.variable.code)
        proposals.append(
            {
                "indicator_id": ind.pk,
                "code": ind.code,
                "name": ind.name,
                "variable": ind.variable.name,
                "score": scores.get(code),
                "gain": gains.get(code),
                "reason": reason,
                "strategy": strategy,
                "strategy_label": STRATEGY_LABELS[strategy],
            }
        )
    return proposals
