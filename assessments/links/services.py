"""Respondent links: create one per respondent, resolve a token, say what state a link is in.

A link is a RespondentLink (random token, see models.new_link_token) tied to one questionnaire filled
by method=link. It expires at the end of the collection deadline day in Asia/Jakarta and works once to
completion (services.questionnaire_complete sets used_at). Saving answers goes through the same
services as staff entry, with link= instead of a user.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruments.models import RespondentGroup

from .. import services, workflow
from ..models import TOKEN_MAX_LENGTH, Collection, Questionnaire, RespondentLink

JAKARTA = ZoneInfo("Asia/Jakarta")

# Link states as shown to the BNNK.
NOT_OPENED = "belum_dibuka"
OPENED = "dibuka"
DONE = "selesai"
EXPIRED = "kedaluwarsa"
STATE_LABELS = {
    NOT_OPENED: gettext_lazy("belum dibuka"),
    OPENED: gettext_lazy("dibuka"),
    DONE: gettext_lazy("selesai"),
    EXPIRED: gettext_lazy("kedaluwarsa"),
}


def link_expiry(collection: Collection) -> datetime.datetime:
    """The last instant of the collection's entry deadline day (extension, or the correction window of a
    returned collection, included), Jakarta time."""
    end_of_day = datetime.datetime.combine(workflow.entry_deadline(collection), datetime.time.max)
    return end_of_day.replace(tzinfo=JAKARTA)


def links_follow_deadline(collection: Collection) -> int:
    """Unused links of the collection expire with its entry deadline as it is now (after an extension,
    links that ran out with the old deadline work again). Returns how many links changed."""
    return RespondentLink.objects.filter(questionnaire__collection=collection, used_at__isnull=True).update(
        expires_at=link_expiry(collection)
    )


def on_deadline_extended(sender, *, collection: Collection, **kwargs) -> None:
    """Receiver of signals.collection_deadline_extended (connected in apps.py)."""
    links_follow_deadline(collection)


def link_create(
    *, collection: Collection, group: RespondentGroup, user, label: str = "", village: str = ""
) -> RespondentLink:
    """A questionnaire (method=link) and its personal link, in one transaction.

    Only the BNNK of the kab/kota while entry is open (services.questionnaire_create checks it).
    """
    with transaction.atomic():
        questionnaire = services.questionnaire_create(
            collection=collection,
            group=group,
            user=user,
            label=label,
            village=village,
            method=Questionnaire.Method.LINK,
        )
        return RespondentLink.objects.create(
            questionnaire=questionnaire, expires_at=link_expiry(collection), created_by=user
        )


def link_state(link: RespondentLink, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if link.used_at is not None:
        return DONE
    if now > link.expires_at:
        return EXPIRED
    if link.opened_at is not None:
        return OPENED
    return NOT_OPENED


def link_by_token(token: str) -> RespondentLink | None:
    """The link with this token and what its page needs (one query); None when unknown."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return (
        RespondentLink.objects.select_related(
            "questionnaire__group", "questionnaire__collection__period", "questionnaire__collection__regency"
        )
        .filter(token=token)
        .first()
    )


def link_refusal(link: RespondentLink, now: datetime.datetime | None = None) -> str | None:
    """Why this link cannot be filled now (a message for the respondent), or None when it can."""
    now = now or timezone.now()
    if link.used_at is not None:
        return _("Terima kasih, kuesioner sudah terkirim. Tautan ini tidak dapat dipakai lagi.")
    if now > link.expires_at:
        return _("Tautan ini sudah kedaluwarsa. Hubungi petugas BNN yang mengirimkannya.")
    questionnaire = link.questionnaire
    if questionnaire.state == Questionnaire.State.EXCLUDED:
        return _("Kuesioner ini tidak lagi menerima jawaban.")
    if workflow.entry_closed_reason(questionnaire.collection):
        return _("Pengisian kuesioner sudah ditutup. Hubungi petugas BNN yang mengirimkannya.")
    return None


def link_mark_opened(link: RespondentLink) -> None:
    """Record the first opening (the BNNK sees 'dibuka'); later openings change nothing."""
    if link.opened_at is None:
        now = timezone.now()
        RespondentLink.objects.filter(pk=link.pk, opened_at__isnull=True).update(opened_at=now)
        link.opened_at = now


def collection_link_summary(collection: Collection, now: datetime.datetime | None = None) -> dict:
    """Counts of the collection's links by state (one query)."""
    now = now or timezone.now()
    return RespondentLink.objects.filter(questionnaire__collection=collection).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(used_at__isnull=False)),
        expired=Count("id", filter=Q(used_at__isnull=True, expires_at__lt=now)),
        opened=Count("id", filter=Q(used_at__isnull=True, expires_at__gte=now, opened_at__isnull=False)),
        not_opened=Count("id", filter=Q(used_at__isnull=True, expires_at__gte=now, opened_at__isnull=True)),
    )


def collection_links(collection: Collection):
    """The collection's links, newest first, with questionnaire and group loaded (one query)."""
    return (
        RespondentLink.objects.filter(questionnaire__collection=collection)
        .select_related("questionnaire__group")
        .annotate(n_answers=Count("questionnaire__answers"))
        .order_by("-created_at", "-id")
    )
