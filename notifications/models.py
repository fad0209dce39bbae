"""In-app notifications: one row per recipient, also the record of what was e-mailed and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Koleksi dikirim")
        RETURNED = "returned", _("Koleksi dikembalikan")
        VERIFIED = "verified", _("Koleksi terverifikasi")
        PROVINCE_VERIFIED = "province", _("Provinsi terverifikasi")
        DEADLINE_REMINDER = "deadline", _("Pengingat batas pengumpulan")
        REVIEW_REMINDER = "review", _("Pengingat verifikasi")
        PLAN_OVERDUE = "plan_overdue", _("Butir rencana aksi terlambat")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("penerima"),
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), blank=True)
    url = models.CharField(_("tautan"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mail terkirim"), null=True, blank=True)
    # Reminders carry a key naming what they remind about and for whom, so a task run twice (or two
    # workers at once) inserts one row: the unique constraint, not a check-then-insert, decides.
    dedupe_key = models.CharField(_("kunci unik"), max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
