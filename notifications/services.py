"""Who hears about a collection's progress: in-app rows plus an e-mail each, in Bahasa Indonesia.

Every function here is called after a transition has been saved, so none may raise because mail failed:
the in-app row is written first and a failed e-mail is only logged (the row keeps emailed_at empty).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assessments.models import Collection

from .models import Notification

logger = logging.getLogger(__name__)

FALLBACK_URL = "/survei/"
# E-mails always go out in Indonesian, whatever language the triggering request used.
MAIL_LANGUAGE = "id"


# --- links -------------------------------------------------------------------------------------------


def collection_url(collection, *names: str) -> str:
    """The first of the named pages that exists for this collection, else the survey start page."""
    kwargs = {"year": collection.period.year, "regency_code": collection.regency.code}
    for name in (*names, "assessments:collection"):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return FALLBACK_URL


def absolute_url(path: str) -> str:
    """A link usable from an e-mail: settings.SITE_URL in front of a site path."""
    base = settings.SITE_URL
    if path.startswith(("http://", "https://")):
        return path
    return base.rstrip("/") + path


# --- recipients --------------------------------------------------------------------------------------


def bnnp_users(province_id: int) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.BNNP, province_id=province_id)


def bnnk_users(regency_id: int) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.BNNK, regency_id=regency_id)


def pusat_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.PUSAT)


# --- delivery ----------------------------------------------------------------------------------------


def send_email(notification: Notification) -> bool:
    """E-mail one notification to its recipient; True when sent. Never raises."""
    recipient = notification.recipient
    if not recipient.email:
        return False
    try:
        with translation.override(MAIL_LANGUAGE):
            body = render_to_string(
                "notifications/email/notification.txt",
                {
                    "notification": notification,
                    "recipient": recipient,
                    "link": absolute_url(notification.url) if notification.url else "",
                },
            )
        message = EmailMessage(
            subject=f"[KOTAN] {notification.title}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
        )
        message.send()
    except Exception:  # SMTP down, bad address, template error: the in-app row must survive it
        logger.exception("e-mail for notification %s to %s failed", notification.pk, recipient.email)
        return False
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def notify_users(
    users: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str,
    url: str = "",
    dedupe: Callable[[User], str] | None = None,
) -> list[Notification]:
    """Create one notification per user and e-mail it. With `dedupe`, a user who already has a row with
    that key gets nothing (returned list holds only the new rows)."""
    created = []
    for user in users:
        key = dedupe(user) if dedupe else None
        try:
            with transaction.atomic():
                row = Notification.objects.create(
                    recipient=user, kind=kind, title=title[:200], body=body, url=url[:500], dedupe_key=key
                )
        except IntegrityError:
            if key is None:
                raise
            continue  # already sent (perhaps by a concurrent run): the unique key decided
        created.append(row)
        send_email(row)
    return created


def _safe(func: Callable[..., list[Notification]]) -> Callable[..., list[Notification]]:
    """Callers (receivers of the survey's signals) must never see a notification error: log and carry on."""

    def wrapper(*args, **kwargs) -> list[Notification]:
        try:
            with translation.override(MAIL_LANGUAGE):
                return func(*args, **kwargs)
        except Exception:
            logger.exception("notification %s failed", func.__name__)
            return []

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


# --- the events --------------------------------------------------------------------------------------


@_safe
def notify_collection_submitted(collection) -> list[Notification]:
    """A kab/kota sent its collection: every active BNNP user of its province is told."""
    regency = collection.regency
    title = _("%(regency)s mengirim data IKOTAN %(year)s") % {
        "regency": regency.name,
        "year": collection.period.year,
    }
    body = _(
        "%(regency)s telah mengirim koleksi IKOTAN periode %(period)s untuk diverifikasi. "
        "Silakan periksa kuesioner dan dokumen buktinya, lalu verifikasi atau kembalikan dengan komentar."
    ) % {"regency": regency.name, "period": collection.period.name}
    return notify_users(
        bnnp_users(regency.province_id),
        kind=Notification.Kind.SUBMITTED,
        title=title,
        body=body,
        url=collection_url(collection, "assessments:review"),
    )


@_safe
def notify_collection_returned(collection, comment_summary: str = "") -> list[Notification]:
    """The BNNP returned the collection: its BNNK users are told what to fix."""
    title = _("Data IKOTAN %(year)s %(regency)s dikembalikan untuk diperbaiki") % {
        "regency": collection.regency.name,
        "year": collection.period.year,
    }
    body = _(
        "BNNP mengembalikan koleksi IKOTAN periode %(period)s. Perbaiki bagian yang dikomentari, "
        "lalu kirim kembali sebelum batas pengumpulan %(deadline)s."
    ) % {"period": collection.period.name, "deadline": date_format(collection.deadline, "j F Y")}
    summary = (comment_summary or "").strip()
    if summary:
        body += "\n\n" + _("Komentar BNNP:") + "\n" + summary[:2000]
    return notify_users(
        bnnk_users(collection.regency_id),
        kind=Notification.Kind.RETURNED,
        title=title,
        body=body,
        url=collection_url(collection),
    )


@_safe
def notify_collection_verified(collection) -> list[Notification]:
    """The BNNP verified the collection: its BNNK users are told."""
    title = _("Data IKOTAN %(year)s %(regency)s telah diverifikasi") % {
        "regency": collection.regency.name,
        "year": collection.period.year,
    }
    body = _("BNNP telah memverifikasi koleksi IKOTAN periode %(period)s untuk %(regency)s.") % {
        "period": collection.period.name,
        "regency": collection.regency.name,
    }
    return notify_users(
        bnnk_users(collection.regency_id),
        kind=Notification.Kind.VERIFIED,
        title=title,
        body=body,
        url=collection_url(collection),
    )


def province_fully_verified(period, province) -> bool:
    """True when every participating kab/kota of the province in this period has a collection that is
    verified or final (and there is at least one)."""
    participants = set(period.participants.filter(province=province).values_list("pk", flat=True))
    if not participants:
        return False
    done = set(
        Collection.objects.filter(
            period=period,
            regency_id__in=participants,
            state__in=[Collection.State.VERIFIED, Collection.State.FINAL],
        ).values_list("regency_id", flat=True)
    )
    return participants <= done


@_safe
def notify_province_verified(period, province) -> list[Notification]:
    """A province verified all its kab/kota in a period: every active BNN pusat user is told, once."""
    title = _("BNNP %(province)s telah memverifikasi semua kab/kota (IKOTAN %(year)s)") % {
        "province": province.name,
        "year": period.year,
    }
    body = _(
        "Semua kabupaten/kota peserta di %(province)s pada periode %(period)s telah diverifikasi BNNP. "
        "Data siap difinalkan oleh BNN pusat."
    ) % {"province": province.name, "period": period.name}
    try:
        url = reverse("assessments:collection_list") + f"?tahun={period.year}"
    except NoReverseMatch:
        url = FALLBACK_URL
    return notify_users(
        pusat_users(),
        kind=Notification.Kind.PROVINCE_VERIFIED,
        title=title,
        body=body,
        url=url,
        dedupe=lambda user: f"province-verified:{period.pk}:{province.pk}:{user.pk}",
    )
