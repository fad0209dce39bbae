"""Reminders the beat schedule sends: deadlines for BNNK, waiting reviews for BNNP, overdue action items.

Safe to run any number of times a day: each reminder has a dedupe key naming the collection, the
deadline or review round and the user, and the unique constraint lets only the first run insert it.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessments import workflow
from assessments.models import Collection
from plans import monev_services

from .models import Notification
from .services import MAIL_LANGUAGE, bnnk_users, bnnp_users, collection_url, notify_users

JAKARTA = ZoneInfo("Asia/Jakarta")
DEADLINE_REMINDER_DAYS = (7, 1)
REVIEW_WAIT_DAYS = 7


def today_in_jakarta(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localtime(now or timezone.now(), JAKARTA).date()


def collections_due_in(days: int, today: datetime.date) -> QuerySet[Collection]:
    """Collections still with the BNNK (draft or returned) whose entry deadline is exactly `days` days
    after today, in periods already open: the own deadline, extension included, or for a returned
    collection the later of that and the verification deadline (assessments.workflow.entry_deadline)."""
    target = today + datetime.timedelta(days=days)
    return (
        Collection.objects.filter(
            state__in=[Collection.State.DRAFT, Collection.State.RETURNED],
            period__collection_opens__lte=today,
        )
        .annotate(entry_deadline=workflow.entry_deadline_expression())
        .filter(entry_deadline=target)
        .select_related("period", "regency")
    )


def send_deadline_reminders(today: datetime.date | None = None) -> int:
    """Remind each BNNK user whose collection is due in 7 or 1 day(s); returns how many were sent."""
    today = today or today_in_jakarta()
    sent = 0
    with translation.override(MAIL_LANGUAGE):
        for days in DEADLINE_REMINDER_DAYS:
            for collection in collections_due_in(days, today):
                deadline = collection.entry_deadline
                if collection.state == Collection.State.RETURNED:
                    title = _("Batas perbaikan IKOTAN tinggal %(days)s hari") % {"days": days}
                    body = _(
                        "Koleksi IKOTAN %(regency)s periode %(period)s dikembalikan BNNP dan belum dikirim "
                        "ulang. Batas perbaikan adalah %(deadline)s (%(days)s hari lagi). Perbaiki yang "
                        "diminta, lalu kirim ulang ke BNNP."
                    )
                else:
                    title = _("Batas pengumpulan IKOTAN tinggal %(days)s hari") % {"days": days}
                    body = _(
                        "Koleksi IKOTAN %(regency)s periode %(period)s belum dikirim. Batas pengumpulan "
                        "adalah %(deadline)s (%(days)s hari lagi). Lengkapi kuota kuesioner dan dokumen "
                        "bukti, lalu kirim ke BNNP."
                    )
                body = body % {
                    "regency": collection.regency.name,
                    "period": collection.period.name,
                    "deadline": date_format(deadline, "j F Y"),
                    "days": days,
                }
                # The deadline is part of the key: an extension earns fresh 7- and 1-day reminders.
                rows = notify_users(
                    bnnk_users(collection.regency_id),
                    kind=Notification.Kind.DEADLINE_REMINDER,
                    title=title,
                    body=body,
                    url=collection_url(collection),
                    dedupe=lambda user, c=collection, d=days, dl=deadline: (
                        f"deadline:{c.pk}:{dl.isoformat()}:{d}:{user.pk}"
                    ),
                )
                sent += len(rows)
    return sent


def send_review_reminders(now: datetime.datetime | None = None) -> int:
    """Remind each BNNP user of collections of its province waiting for review more than 7 days; once per
    user, collection and review round. Returns how many were sent."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=REVIEW_WAIT_DAYS)
    waiting = Collection.objects.filter(
        state=Collection.State.SUBMITTED, submitted_at__isnull=False, submitted_at__lt=cutoff
    ).select_related("period", "regency")
    sent = 0
    with translation.override(MAIL_LANGUAGE):
        for collection in waiting:
            waited = (now - collection.submitted_at).days
            title = _("%(regency)s sudah %(days)s hari menunggu verifikasi") % {
                "regency": collection.regency.name,
                "days": waited,
            }
            body = _(
                "Koleksi IKOTAN %(regency)s periode %(period)s dikirim pada %(date)s dan belum diverifikasi. "
                "Batas verifikasi: %(deadline)s."
            ) % {
                "regency": collection.regency.name,
                "period": collection.period.name,
                "date": date_format(timezone.localtime(collection.submitted_at, JAKARTA), "j F Y"),
                "deadline": date_format(collection.period.verification_deadline, "j F Y"),
            }
            rows = notify_users(
                bnnp_users(collection.regency.province_id),
                kind=Notification.Kind.REVIEW_REMINDER,
                title=title,
                body=body,
                url=collection_url(collection, "assessments:review"),
                dedupe=lambda user, c=collection: f"review:{c.pk}:{c.review_round}:{user.pk}",
            )
            sent += len(rows)
    return sent


def send_plan_overdue_reminders(today: datetime.date | None = None) -> int:
    """Announce each overdue action item (plans.monev_services.overdue_items) once to the kab/kota's BNNK
    and its province's BNNP; a new target date earns a fresh notice. Returns how many were sent."""
    today = today or today_in_jakarta()
    sent = 0
    with translation.override(MAIL_LANGUAGE):
        for item in monev_services.overdue_items(today):
            collection = item.plan.collection
            regency = collection.regency
            title = _("Butir rencana aksi %(regency)s terlambat") % {"regency": regency.name}
            body = _(
                "Butir rencana aksi “%(activity)s” (%(agency)s) dengan target %(target)s belum selesai. "
                "Perbarui statusnya atau catat tindak lanjutnya."
            ) % {
                "activity": item.activity[:200],
                "agency": item.agency.name,
                "target": date_format(item.target_date, "j F Y"),
            }
            url = reverse("plans:plan", kwargs={"year": collection.period.year, "regency_code": regency.code})
            users = [*bnnk_users(regency.pk), *bnnp_users(regency.province_id)]
            rows = notify_users(
                users,
                kind=Notification.Kind.PLAN_OVERDUE,
                title=title,
                body=body,
                url=f"{url}#butir-{item.pk}",
                dedupe=lambda user, i=item: f"plan-overdue:{i.pk}:{i.target_date.isoformat()}:{user.pk}",
            )
            sent += len(rows)
    return sent
