"""Stored index scores (one row per collection, instrument version and basis), rendered reports, API
tokens, and the heartbeats of the background services."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Score(models.Model):
    """A collection's IKOTAN score as the engine computed it (assessments.scoring).

    `submitted`: from the answers as the kab/kota first submitted them (SubmissionSnapshot round 1).
    `current`: from the answers now, after the BNNP's exclusions and the BNNK's corrections; it is the
    verified score once the collection is verified or final. Rankings use the current score of
    verified/final collections. Recomputing with the same `input_hash` writes nothing.
    """

    class Basis(models.TextChoices):
        SUBMITTED = "submitted", _("Skor saat dikirim")
        CURRENT = "current", _("Skor terkini")

    collection = models.ForeignKey("assessments.Collection", on_delete=models.CASCADE, related_name="scores")
    instrument = models.ForeignKey("instruments.Instrument", on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("dasar"), max_length=10, choices=Basis.choices)
    overall = models.FloatField(_("indeks (0–100)"))
    reported = models.FloatField(_("indeks pada skala skema"))
    category = models.CharField(_("kategori"), max_length=60, blank=True)
    variables = models.JSONField(_("skor variabel"), default=dict)  # {variable code: 0-100}
    indicators = models.JSONField(_("skor indikator"), default=dict)  # {indicator code: 0-100}
    groups = models.JSONField(_("responden per kelompok"), default=dict)  # {code: {n, quota, met}}
    quota_met = models.BooleanField(_("kuota terpenuhi"), default=False)
    respondents = models.PositiveIntegerField(_("responden dihitung"), default=0)
    input_hash = models.CharField(max_length=64)
    # The instrument signature (weights, option scores, quotas, band scheme: reports.inputs) the row was
    # computed with. The beat sweep compares it with the instrument's signature now, so a weight or band
    # edit whose recompute task was lost is still caught without reading any answer.
    signature = models.CharField(max_length=64, blank=True, default="")
    computed_at = models.DateTimeField(_("dihitung pada"))
    # When the inputs were last found unchanged (or written): the sweep compares it with the latest
    # questionnaire change, so a touched-but-equal collection is checked once, not on every sweep.
    checked_at = models.DateTimeField(_("diperiksa pada"))

    class Meta:
        verbose_name = _("skor")
        verbose_name_plural = _("skor")
        constraints = [
            models.UniqueConstraint(fields=["collection", "instrument", "basis"], name="score_unique"),
            models.CheckConstraint(
                condition=models.Q(overall__gte=0) & models.Q(overall__lte=100), name="score_overall_range"
            ),
        ]
        indexes = [models.Index(fields=["instrument", "basis"], name="score_instrument_basis")]

    def __str__(self) -> str:
        return f"{self.collection_id} {self.basis} {self.overall:.2f}"


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

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        FIGURES = "figures", _("Grafik")

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


class Heartbeat(models.Model):
    """When a background service last showed it was alive: a Celery worker ("worker:<hostname>", every
    HEARTBEAT_SECONDS from its main process) or the beat's score sweep ("sweep"). Read by /readyz.

    In the database, not in Redis, so that /readyz can still say what it last knew while Redis is down.
    """

    name = models.CharField(max_length=200, unique=True)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("detak layanan")
        verbose_name_plural = _("detak layanan")

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
