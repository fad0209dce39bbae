"""The IKOTAN survey as collected: periods, and the questionnaires, answers and evidence per kab/kota.

The instrument they answer (Instrument, Question, RespondentGroup, …) lives one layer down, in
instruments.models. Period (a year) uses one instrument and has participating kab/kota; Collection
is one kab/kota in one period; Questionnaire is one respondent; Answer is one question of one
questionnaire.

Why answers are rows: a period holds ~514 x 180 x 50 = 4.6 million answers. Rows give per-answer
history (who, when, old -> new), per-answer conflict checks (version) and database constraints
(one answer per questionnaire and question). Scoring loads them with one narrow query of three numbers
per answer (questionnaire, question, value); bench/recompute.py measures that load on SQLite and
PostgreSQL (see the figures quoted there). A numeric `value` column keeps the row small: a Likert level,
1/0 for yes/no, the chosen option's value, or the number typed.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from instruments.models import EvidenceType, Indicator, Instrument, Question, RespondentGroup


class Period(models.Model):
    """One year's assessment: dates, the instrument used, participating kab/kota and the target count."""

    year = models.PositiveSmallIntegerField(_("tahun"), unique=True)
    name = models.CharField(_("nama"), max_length=120)
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="periods", verbose_name=_("instrumen")
    )
    collection_opens = models.DateField(_("pengumpulan dibuka"))
    collection_deadline = models.DateField(_("batas pengumpulan"))
    verification_deadline = models.DateField(_("batas verifikasi"))
    target_count = models.PositiveIntegerField(_("target jumlah kab/kota (Tanggap atau lebih)"), default=0)
    participants = models.ManyToManyField(
        "regions.Regency", blank=True, related_name="periods", verbose_name=_("kab/kota peserta")
    )
    is_synthetic = models.BooleanField(_("data sintetis (demo)"), default=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("periode")
        verbose_name_plural = _("periode")
        constraints = [
            models.CheckConstraint(
                condition=Q(collection_deadline__gte=models.F("collection_opens"))
                & Q(verification_deadline__gte=models.F("collection_deadline")),
                name="period_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def collection_is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.collection_opens <= today <= self.collection_deadline


class Collection(models.Model):
    """One kab/kota's survey in one period: its questionnaires, evidence and workflow state."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Dikirim")
        RETURNED = "returned", _("Dikembalikan")
        VERIFIED = "verified", _("Terverifikasi")
        FINAL = "final", _("Final")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="collections")
    regency = models.ForeignKey("regions.Regency", on_delete=models.PROTECT, related_name="collections")
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.DRAFT)
    # A BNN pusat extension of the collection deadline for this kab/kota only (reason in ReviewEvent).
    deadline_extended_to = models.DateField(_("perpanjangan batas"), null=True, blank=True)
    # Which review round the collection is in: 1 at first submit, +1 each time the BNNP returns it.
    review_round = models.PositiveSmallIntegerField(_("putaran verifikasi"), default=1)
    submitted_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "regency__code"]
        verbose_name = _("koleksi kab/kota")
        verbose_name_plural = _("koleksi kab/kota")
        constraints = [models.UniqueConstraint(fields=["period", "regency"], name="collection_unique")]

    def __str__(self) -> str:
        return f"{self.regency} · {self.period}"

    @property
    def deadline(self):
        return self.deadline_extended_to or self.period.collection_deadline


class Questionnaire(models.Model):
    """One respondent's questionnaire. No personal identifiers beyond a household/institution label."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        COMPLETE = "complete", _("Lengkap")
        EXCLUDED = "excluded", _("Dikecualikan")

    class Method(models.TextChoices):
        STAFF = "staff", _("Diisi petugas")
        LINK = "link", _("Tautan responden")
        EXCEL = "excel", _("Impor Excel")

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="questionnaires")
    group = models.ForeignKey(
        RespondentGroup,
        on_delete=models.PROTECT,
        related_name="questionnaires",
        verbose_name=_("kelompok responden"),
    )
    label = models.CharField(_("lembaga / rumah tangga"), max_length=200, blank=True)
    village = models.CharField(_("desa/kelurahan"), max_length=120, blank=True)
    filled_on = models.DateField(_("tanggal pengisian"), default=timezone.localdate)
    method = models.CharField(_("cara pengisian"), max_length=8, choices=Method.choices, default=Method.STAFF)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.DRAFT)
    excluded_reason = models.TextField(_("alasan dikecualikan"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dientri oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    completed_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    # The id the field kit's offline client gave it (issue 15): a replayed sync finds it instead of
    # creating it twice. None for a questionnaire made online, by a link or by an Excel import.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["collection", "-created_at", "-id"]
        verbose_name = _("kuesioner")
        verbose_name_plural = _("kuesioner")
        indexes = [models.Index(fields=["collection", "state", "group"], name="questionnaire_progress")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="excluded") | ~Q(excluded_reason=""), name="questionnaire_excluded_reason"
            ),
            models.CheckConstraint(
                condition=~Q(state="complete") | Q(completed_at__isnull=False),
                name="questionnaire_complete_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} #{self.pk}"


class Answer(models.Model):
    """One question of one questionnaire. `version` increases on every change (conflict check)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.FloatField(_("nilai"))
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jawaban")
        verbose_name_plural = _("jawaban")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "question"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.value}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # A random name: the original name is kept in a field, never used on disk.
    return f"evidence/{instance.collection_id}/{secrets.token_hex(16)}"


class Evidence(models.Model):
    """A supporting document (bukti dukung) of a collection, linked to the questions it supports."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="evidence")
    evidence_type = models.ForeignKey(
        EvidenceType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("jenis bukti"),
    )
    title = models.CharField(_("judul"), max_length=200)
    file = models.FileField(_("berkas"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(_("jenis berkas"), max_length=100)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    questions = models.ManyToManyField(
        Question, blank=True, related_name="evidence", verbose_name=_("pertanyaan yang didukung")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("diunggah"), default=timezone.now)
    # The id of a photo taken offline in the field kit (issue 15): a retried upload finds it.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["collection", "-uploaded_at"]
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")

    def __str__(self) -> str:
        return self.title


TOKEN_MAX_LENGTH = 64  # the token column; anything longer cannot be a token (checked before any query)


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


class RespondentLink(models.Model):
    """A personal, unguessable link for one respondent to fill one questionnaire without an account.

    Valid until the collection deadline and only until the questionnaire is completed.
    """

    questionnaire = models.OneToOneField(Questionnaire, on_delete=models.CASCADE, related_name="link")
    token = models.CharField(max_length=TOKEN_MAX_LENGTH, unique=True, default=new_link_token)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(_("pertama dibuka"), null=True, blank=True)
    used_at = models.DateTimeField(_("selesai diisi"), null=True, blank=True)

    class Meta:
        verbose_name = _("tautan responden")
        verbose_name_plural = _("tautan responden")

    def __str__(self) -> str:
        return f"link #{self.pk}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and now <= self.expires_at


class ReviewComment(models.Model):
    """A BNNP comment (or a BNNK reply) attached to a questionnaire, document, indicator or the whole
    collection. When a collection is returned, only what open comments point at becomes editable.
    """

    class Target(models.TextChoices):
        GENERAL = "general", _("Umum (seluruh koleksi)")
        QUESTIONNAIRE = "questionnaire", _("Kuesioner")
        EVIDENCE = "evidence", _("Dokumen bukti")
        INDICATOR = "indicator", _("Indikator")
        DOCUMENT_REQUEST = "document_request", _("Permintaan dokumen")

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="comments")
    round = models.PositiveSmallIntegerField(_("putaran"))
    target = models.CharField(_("sasaran"), max_length=20, choices=Target.choices, default=Target.GENERAL)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    evidence = models.ForeignKey(
        Evidence, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence_type = models.ForeignKey(
        EvidenceType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("komentar"))
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    resolved_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)

    class Meta:
        ordering = ["collection", "created_at", "id"]
        verbose_name = _("komentar verifikasi")
        verbose_name_plural = _("komentar verifikasi")
        indexes = [models.Index(fields=["collection", "round"], name="comment_round")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target="questionnaire") | Q(questionnaire__isnull=False),
                name="comment_questionnaire_target",
            ),
            models.CheckConstraint(
                condition=~Q(target="indicator") | Q(indicator__isnull=False), name="comment_indicator_target"
            ),
            models.CheckConstraint(
                condition=~Q(target="document_request") | Q(evidence_type__isnull=False),
                name="comment_document_request_target",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ReviewEvent(models.Model):
    """The log of workflow steps of a collection: who did what, when, and why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Dikirim")
        RETURNED = "returned", _("Dikembalikan")
        VERIFIED = "verified", _("Diverifikasi")
        FINALIZED = "finalized", _("Difinalkan")
        REOPENED = "reopened", _("Dibuka kembali")
        EXTENDED = "extended", _("Batas diperpanjang")
        EXCLUDED = "excluded", _("Kuesioner dikecualikan")
        INCLUDED = "included", _("Pengecualian dibatalkan")

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="review_events")
    action = models.CharField(_("tindakan"), max_length=12, choices=Action.choices)
    round = models.PositiveSmallIntegerField(_("putaran"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    note = models.TextField(_("catatan"), blank=True)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["collection", "at", "id"]
        verbose_name = _("riwayat verifikasi")
        verbose_name_plural = _("riwayat verifikasi")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.collection_id}"


class SubmissionSnapshot(models.Model):
    """The counted answers exactly as a collection was submitted, one row per submit.

    The "submitted score" is computed from the first one, so what the kab/kota sent stays comparable
    with the verified score after the BNNP's exclusions and the BNNK's corrections. Rows are compact
    ([questionnaire_id, group_id, question_id, value] lists, ~9,000 per collection).
    """

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="snapshots")
    round = models.PositiveSmallIntegerField(_("putaran"))
    taken_at = models.DateTimeField(default=timezone.now)
    rows = models.JSONField(default=list)

    class Meta:
        ordering = ["collection", "round", "taken_at"]
        indexes = [models.Index(fields=["collection", "round"], name="snapshot_collection_round")]

    def __str__(self) -> str:
        return f"{self.collection_id} r{self.round}"
