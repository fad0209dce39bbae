"""Stored index scores: one row per collection, instrument version and basis."""

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
    instrument = models.ForeignKey("assessments.Instrument", on_delete=models.PROTECT, related_name="+")
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
    computed_at = models.DateTimeField(_("dihitung pada"))

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
