"""Writes of the survey: create questionnaires, complete them (saving an answer: autosave/writes.py).

Each service checks its rules (workflow.py, which also holds submit and every other state change of a
collection), runs in a transaction, and asks for the collection's score to be recomputed after commit
(signals.request_score_after_commit), so a failed broker never loses a save.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from instruments.models import RespondentGroup
from kotan.lib.service_errors import ServiceError

from . import selectors, signals, workflow
from .models import Collection, Period, Questionnaire, RespondentLink


def period_ensure_collections(*, period: Period) -> int:
    """Create the missing collection of every participating kab/kota (idempotent), each with its first
    history row (the collection's history starts at "Draf"); return how many."""
    existing = set(period.collections.values_list("regency_id", flat=True))
    missing = [rid for rid in period.participants.values_list("id", flat=True) if rid not in existing]
    try:
        with transaction.atomic():
            bulk_create_with_history(_new_collections(period, missing), Collection)
    except IntegrityError:  # a concurrent save made some of them: make the rest (without history rows)
        Collection.objects.bulk_create(_new_collections(period, missing), ignore_conflicts=True)
    return len(missing)


def _new_collections(period: Period, regency_ids: list[int]) -> list[Collection]:
    return [Collection(period=period, regency_id=rid) for rid in regency_ids]


def on_participants_changed(sender, *, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Receiver of m2m_changed on Period.participants (connected in apps.py): a kab/kota added to a
    period gets its collection at once, whichever side added it, so no page has to create one."""
    if action != "post_add" or not pk_set:
        return
    periods = Period.objects.filter(pk__in=pk_set) if reverse else [instance]
    for period in periods:
        period_ensure_collections(period=period)


def on_band_scheme_changed(sender, *, band_scheme_id: int, **kwargs) -> int:
    """Receiver of instruments.signals.band_scheme_changed (connected in apps.py): every period whose
    instrument uses the scheme is rescored after commit. Returns how many, for the admin's message."""
    period_ids = list(
        Period.objects.filter(instrument__band_scheme_id=band_scheme_id).values_list("pk", flat=True)
    )
    for period_id in period_ids:
        signals.request_period_rescore_after_commit(period_id)
    return len(period_ids)


def questionnaire_create(
    *,
    collection: Collection,
    group: RespondentGroup,
    user,
    label: str = "",
    village: str = "",
    filled_on: datetime.date | None = None,
    method: str = Questionnaire.Method.STAFF,
    client_uuid=None,
) -> Questionnaire:
    """A new draft. `client_uuid`: the id an offline client gave it (the field kit's sync), unique."""
    workflow.ensure_can_enter(user, collection)
    workflow.ensure_can_add_questionnaire(collection)
    if group.instrument_id != collection.period.instrument_id:
        raise ServiceError(
            _("Kelompok responden bukan bagian dari instrumen periode ini."), code="wrong_group"
        )
    return Questionnaire.objects.create(
        collection=collection,
        group=group,
        label=label.strip()[:200],
        village=village.strip()[:120],
        filled_on=filled_on or timezone.localdate(),
        method=method,
        entered_by=user,
        client_uuid=client_uuid,
    )


def questionnaire_complete(
    *, questionnaire: Questionnaire, user=None, link: RespondentLink | None = None
) -> None:
    """Mark complete when every required question of its group is answered; else say what is missing."""
    workflow.ensure_can_edit_answers(questionnaire, user=user, link=link)
    workflow.ensure_questionnaire_in_return_scope(questionnaire)
    missing = selectors.questionnaire_missing_required(questionnaire)
    if missing:
        raise ServiceError(
            _("Masih ada %(n)d pertanyaan wajib yang belum dijawab.") % {"n": len(missing)},
            code="incomplete",
            details=[f"{q.code}: {q.text}" for q in missing],
        )
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if locked.state == Questionnaire.State.COMPLETE:
            return
        locked.state = Questionnaire.State.COMPLETE
        locked.completed_at = timezone.now()
        locked._history_user = user
        locked.save(update_fields=["state", "completed_at", "updated_at"])
        if link is not None:
            RespondentLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        signals.request_score_after_commit(locked.collection_id)
    questionnaire.refresh_from_db()
