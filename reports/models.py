"""Rendered reports, the users' requests for them, and API tokens. (Stored scores: scoring.models.)"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def rendered_report_upload_to(instance: "RenderedReport", filename: str) -> str:
    return f"reports/{instance.period.year}/{filename}"


class RenderedReport(models.Model):
    """A report Celery rendered for one period and scope (reports.rendering), served as it is.

    `fingerprint` records the inputs it was rendered from (the scope's latest Score.computed_at and
    collection change); rendering again with the same fingerprint is skipped.
    """

    class ScopeKind(models.TextChoices):
        NATIONAL = "national", _("Nasional")
        PROVINCE = "province", _("Provinsi")
        REGENCY = "regency", _("Kabupaten/kota")
        PLAN = "plan", _("Rencana aksi kab/kota")  # scope_key: the kab/kota code (reports.plan_document)

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        FIGURES = "figures", _("Grafik")
        DOCX = "docx", _("DOCX")  # a plan's Word copy, rendered with its PDF (reports.plan_document)

    period = models.ForeignKey(
        "assessments.Period", on_delete=models.CASCADE, related_name="rendered_reports"
    )
    scope_kind = models.CharField(_("cakupan"), max_length=10, choices=ScopeKind.choices)
    scope_key = models.CharField(_("kode wilayah"), max_length=4, blank=True)  # "" for national
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("berkas"), upload_to=rendered_report_upload_to, max_length=200, blank=True)
    data = models.JSONField(_("data"), null=True, blank=True)
    fingerprint = models.CharField(max_length=120)
    rendered_at = models.DateTimeField(_("dirender pada"))

    class Meta:
        verbose_name = _("laporan terender")
        verbose_name_plural = _("laporan terender")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "scope_kind", "scope_key", "kind"], name="rendered_report_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.scope_kind} {self.scope_key} {self.kind}"


class RenderRequest(models.Model):
    """A user's click asking for one report's PDF (reports.report_links), one row per period and scope.

    `queued` from the click until the render task finishes (`done`) or fails (`failed`, with why). A
    click while it is queued asks nothing more, so a double click renders once; the row is reused by
    the next click once it is done, failed, or queued longer than report_links.POLL_LIMIT.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("dalam antrean")
        DONE = "done", _("selesai")
        FAILED = "failed", _("gagal")

    class Reason(models.TextChoices):
        RENDER = "render", _("gagal dirender")
        BROKER = "broker", _("antrean tidak tersedia")

    period = models.ForeignKey("assessments.Period", on_delete=models.CASCADE, related_name="+")
    scope_kind = models.CharField(_("cakupan"), max_length=10, choices=RenderedReport.ScopeKind.choices)
    scope_key = models.CharField(_("kode wilayah"), max_length=4, blank=True)  # "" for national
    state = models.CharField(_("status"), max_length=8, choices=State.choices)
    reason = models.CharField(_("alasan"), max_length=8, choices=Reason.choices, blank=True)
    requested_at = models.DateTimeField(_("diminta pada"))
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("permintaan render laporan")
        verbose_name_plural = _("permintaan render laporan")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "scope_kind", "scope_key"], name="render_request_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.scope_kind} {self.scope_key} {self.state}"


class ApiToken(models.Model):
    """A personal API token (Authorization: Bearer <token>). Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("awalan"), max_length=8)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"
