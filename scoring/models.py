"""Stored index scores (one row per collection, instrument version and basis, with their bootstrap
intervals), the rank intervals of each period, the instrument's reliability per period, the anonymised
microdata files built for analysts, and the heartbeats of the background services (the workers
and the beat's score sweep). Score and Heartbeat keep the table names they had in the reports app
(migrations reports 0005 and scoring 0001 moved them without touching the database)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Score(models.Model):
    """A collection's IKOTAN score as the engine computed it (scoring.engine).

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
    # The instrument signature (weights, option scores, quotas, band scheme: scoring.inputs) the row was
    # computed with. The beat sweep compares it with the instrument's signature now, so a weight or band
    # edit whose recompute task was lost is still caught without reading any answer.
    signature = models.CharField(max_length=64, blank=True, default="")
    # The bootstrap's 95 % intervals (scoring.intervals), computed with the score from the same inputs, so
    # a row with this input_hash has the intervals of these answers: {"overall": [lo, hi] (0-100),
    # "reported": [lo, hi] (the band scheme's scale), "variables": {code: [lo, hi]}, "replicates": R,
    # "seed": int, "level": 0.95}. {} when none could be computed (no counted questionnaire).
    ci = models.JSONField(_("interval kepercayaan"), default=dict, blank=True)
    # The R bootstrap replicates of the overall index (0-100) as little-endian float32, in replicate order
    # (replicate r of every collection of a period used the same seed scheme): the rank intervals read them.
    replicates = models.BinaryField(default=b"", blank=True)
    computed_at = models.DateTimeField(_("dihitung pada"))
    # When the inputs were last found unchanged (or written): the sweep compares it with the latest
    # questionnaire change, so a touched-but-equal collection is checked once, not on every sweep.
    checked_at = models.DateTimeField(_("diperiksa pada"))

    class Meta:
        db_table = "reports_score"  # kept from before the scoring app: the table and its data stay
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


class RankIntervals(models.Model):
    """A period's rank intervals: for each ranked kab/kota, the 95 % interval of its national and
    province rank over the bootstrap replicates of the ranked set (scoring.intervals.rank_intervals).

    One row per period, rewritten by a Celery task whenever the ranked set or a ranked score changes.
    `fingerprint` hashes the ranked set as the task saw it (collection ids with their score's input_hash),
    so a page compares it with the ranking it shows and prints no range from a stale row.
    `data`: {collection id (str): {"national": [lo, hi], "province": [lo, hi]}}.
    """

    period = models.OneToOneField(
        "assessments.Period", on_delete=models.CASCADE, related_name="rank_intervals"
    )
    fingerprint = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    replicates = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(_("dihitung pada"))

    class Meta:
        verbose_name = _("rentang peringkat")
        verbose_name_plural = _("rentang peringkat")

    def __str__(self) -> str:
        return f"{self.period_id} {len(self.data)} @ {self.computed_at:%Y-%m-%d %H:%M}"


class ReliabilityReport(models.Model):
    """A period's reliability of the instrument (scoring.reliability: Cronbach's α per variable and
    respondent group, nationally and per province, and the item statistics), computed by a Celery task
    (scoring.reliability_tasks) and shown as it is stored.

    `fingerprint` hashes the inputs the task read (the period's current scores' input hashes, which
    change with any counted answer or the instrument), so an unchanged period is not computed again and
    a page can say a stored result is older than the answers. `requested_at` after `computed_at` (or no
    `computed_at`): a computation is queued or running. `data`: reliability_data's JSON shape.
    """

    period = models.OneToOneField("assessments.Period", on_delete=models.CASCADE, related_name="reliability")
    fingerprint = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    requested_at = models.DateTimeField(_("diminta pada"), null=True, blank=True)
    computed_at = models.DateTimeField(_("dihitung pada"), null=True, blank=True)
    failed = models.BooleanField(_("gagal"), default=False)

    class Meta:
        verbose_name = _("reliabilitas instrumen")
        verbose_name_plural = _("reliabilitas instrumen")

    def __str__(self) -> str:
        return f"{self.period_id} @ {self.computed_at}"


class MicrodataExport(models.Model):
    """A period's anonymised respondent-level answers for analysts, for one scope ("" national, else a
    province code), as files in default storage (CSV, XLSX, Stata, SPSS and a codebook), built by a
    Celery task (reports.microdata) after a user's click. `files`: {format: {"name": storage name,
    "size": bytes}}; `rows`: questionnaires written; `fingerprint`: the scope's inputs when built."""

    class State(models.TextChoices):
        QUEUED = "queued", _("dalam antrean")
        DONE = "done", _("selesai")
        FAILED = "failed", _("gagal")

    period = models.ForeignKey("assessments.Period", on_delete=models.CASCADE, related_name="+")
    scope_key = models.CharField(_("kode provinsi"), max_length=4, blank=True)  # "" for national
    state = models.CharField(_("status"), max_length=8, choices=State.choices)
    files = models.JSONField(default=dict, blank=True)
    rows = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(_("diminta pada"))
    built_at = models.DateTimeField(_("dibuat pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("ekspor mikrodata")
        verbose_name_plural = _("ekspor mikrodata")
        constraints = [models.UniqueConstraint(fields=["period", "scope_key"], name="microdata_unique")]

    def __str__(self) -> str:
        return f"{self.period_id} {self.scope_key or 'nasional'} {self.state}"


class Heartbeat(models.Model):
    """When a background service last showed it was alive: a Celery worker ("worker:<hostname>", every
    HEARTBEAT_SECONDS from its main process) or the beat's score sweep ("sweep"). Read by /readyz.

    In the database, not in Redis, so that /readyz can still say what it last knew while Redis is down.
    """

    name = models.CharField(max_length=200, unique=True)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "reports_heartbeat"  # kept from before the scoring app: the table and its data stay
        verbose_name = _("detak layanan")
        verbose_name_plural = _("detak layanan")

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
