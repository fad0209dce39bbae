"""Action plans (rencana aksi): a kab/kota's plan for one period, its items, and the instansi/OPD that
carry them out. Every change is kept in history (django-simple-history), as for the survey's rows."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import Collection, Evidence
from instruments.models import Indicator

from . import rules

# The instansi/OPD every kab/kota starts with (created on demand, then editable by its BNNK).
DEFAULT_AGENCIES = (
    "Kesbangpol",
    "Dinas PMD",
    "Dinas Pendidikan",
    "Satpol PP",
    "Dinas Kesehatan",
    "Dinas Sosial",
    "Bappeda",
    "Kominfo",
)


class Agency(models.Model):
    """A responsible instansi/OPD of one kab/kota."""

    regency = models.ForeignKey("regions.Regency", on_delete=models.CASCADE, related_name="plan_agencies")
    name = models.CharField(_("nama instansi/OPD"), max_length=120)
    history = HistoricalRecords()

    class Meta:
        ordering = ["regency", "name"]
        verbose_name = _("instansi/OPD")
        verbose_name_plural = _("instansi/OPD")
        constraints = [models.UniqueConstraint(fields=["regency", "name"], name="plan_agency_unique")]

    def __str__(self) -> str:
        return self.name


def signed_upload_to(instance: ActionPlan, filename: str) -> str:
    # A random name, as for evidence: the checked original name is kept in signed_name.
    return f"plans/signed/{instance.collection_id}/{secrets.token_hex(16)}"


class ActionPlan(models.Model):
    """The action plan of one collection (a kab/kota in a period)."""

    collection = models.OneToOneField(Collection, on_delete=models.CASCADE, related_name="action_plan")
    title = models.CharField(_("judul"), max_length=200)
    # The RAD P4GN or the signed plan, uploaded through the evidence checks of the collection.
    rad_document = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dokumen RAD P4GN / rencana aksi bertanda tangan"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    # The scanned copy the Tim Terpadu signed (plans.signing): checked by the evidence rules, stored
    # under a random name; a replaced copy stays in history (and on disk).
    signed_file = models.FileField(
        _("rencana aksi bertanda tangan"), upload_to=signed_upload_to, max_length=200, blank=True
    )
    signed_name = models.CharField(_("nama berkas bertanda tangan"), max_length=255, blank=True)
    signed_type = models.CharField(_("jenis berkas bertanda tangan"), max_length=120, blank=True)
    signed_at = models.DateTimeField(_("diunggah pada"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rencana aksi")
        verbose_name_plural = _("rencana aksi")

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    """One action of a plan: what, by whom, by when, aimed at which indicators."""

    class Strategy(models.TextChoices):
        PENGUATAN_KELEMBAGAAN = rules.PENGUATAN_KELEMBAGAAN, _("Penguatan kelembagaan")
        PENGEMBANGAN_KAPASITAS = rules.PENGEMBANGAN_KAPASITAS, _("Pengembangan kapasitas")
        PELIBATAN_PEMANGKU_KEPENTINGAN = (
            rules.PELIBATAN_PEMANGKU_KEPENTINGAN,
            _("Pelibatan pemangku kepentingan"),
        )
        PENGEMBANGAN_KEGIATAN = rules.PENGEMBANGAN_KEGIATAN, _("Pengembangan kegiatan")

    class Status(models.TextChoices):
        DIRENCANAKAN = "direncanakan", _("Direncanakan")
        BERJALAN = "berjalan", _("Berjalan")
        SELESAI = "selesai", _("Selesai")
        BATAL = "batal", _("Batal")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    indicators = models.ManyToManyField(Indicator, related_name="+", verbose_name=_("indikator sasaran"))
    strategy = models.CharField(_("strategi"), max_length=40, choices=Strategy.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("instansi/OPD penanggung jawab"),
    )
    activity = models.TextField(_("kegiatan"))
    expected_output = models.TextField(_("keluaran yang diharapkan"))
    target_date = models.DateField(_("target selesai"))
    budget = models.DecimalField(
        _("anggaran (Rp)"),
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_source = models.CharField(_("sumber anggaran"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DIRENCANAKAN)
    completed_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[indicators])

    class Meta:
        ordering = ["plan", "target_date", "id"]
        verbose_name = _("butir rencana aksi")
        verbose_name_plural = _("butir rencana aksi")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="plan_item_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="selesai") | Q(completed_at__isnull=False), name="plan_item_done_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.activity[:60]

    def is_overdue(self, today) -> bool:
        return rules.is_overdue(target_date=self.target_date, status=self.status, today=today)


# --- monev by the BNNP: follow-ups and comments ---------------------------------------------------------


def follow_up_upload_to(instance: FollowUp, filename: str) -> str:
    # A random name, as for evidence: the original name is kept in a field, never used on disk.
    return f"plans/follow-ups/{instance.item_id}/{secrets.token_hex(16)}"


class FollowUp(models.Model):
    """The BNNP's record of an item's progress on a date, with an optional evidence file (checked by the
    evidence rules, assessments.evidence.services.check_upload)."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("tanggal"))
    progress = models.PositiveSmallIntegerField(
        _("kemajuan (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.TextField(_("catatan"), blank=True)
    file = models.FileField(_("berkas bukti"), upload_to=follow_up_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("nama berkas"), max_length=255, blank=True)
    content_type = models.CharField(_("jenis berkas"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "-date", "-id"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="plan_follow_up_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.date} {self.progress}%"


class PlanComment(models.Model):
    """A comment on a plan (or one of its items) by its BNNP or the kab/kota's BNNK."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("komentar"))
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "created_at", "id"]
        verbose_name = _("komentar rencana aksi")
        verbose_name_plural = _("komentar rencana aksi")

    def __str__(self) -> str:
        return self.text[:60]
