"""The IKOTAN instrument: versions of the questionnaire, what they ask whom, and how scores become categories.

Instrument (version) -> Variable -> Indicator -> Question -> Option; RespondentGroup with quotas;
EvidenceType (the documents it asks for); BandScheme (scale + categories) chosen by the instrument.
The survey as collected (Period, Collection, Questionnaire, Answer) lives in assessments, one layer up.

The tables keep their first names (assessments_*, Meta.db_table): these models moved here from
assessments in issue 13 without touching a running installation's data (migrations: instruments 0001,
assessments 0005).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BandScheme(models.Model):
    """How an overall score becomes a category, and on which scale it is reported.

    Fixed: bands with edges on the scale. Relative: equal intervals between the lowest score of the
    period's participants and either the highest score or the scale's top, assigned once all are scored.
    """

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Tetap")
        RELATIVE = "relative", _("Relatif (interval sama)")

    class RelativeTop(models.TextChoices):
        OBSERVED_MAX = "observed_max", _("Skor tertinggi peserta")
        SCALE_MAX = "scale_max", _("Batas atas skala")

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    scale_min = models.DecimalField(_("skala minimum"), max_digits=7, decimal_places=3, default=0)
    scale_max = models.DecimalField(_("skala maksimum"), max_digits=7, decimal_places=3, default=100)
    decimals = models.PositiveSmallIntegerField(_("desimal pembulatan"), default=2)
    relative_top = models.CharField(
        _("batas atas (relatif)"), max_length=20, choices=RelativeTop.choices, default=RelativeTop.SCALE_MAX
    )
    description = models.TextField(_("keterangan"), blank=True)

    class Meta:
        db_table = "assessments_bandscheme"
        verbose_name = _("skema kategori")
        verbose_name_plural = _("skema kategori")
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="bandscheme_scale")
        ]

    def __str__(self) -> str:
        return self.name


class Band(models.Model):
    """One category of a scheme, ordered from lowest to highest. Fixed schemes give edges (inclusive)."""

    scheme = models.ForeignKey(BandScheme, on_delete=models.CASCADE, related_name="bands")
    order = models.PositiveSmallIntegerField(_("urutan"))
    label = models.CharField(_("kategori"), max_length=60)
    lower = models.DecimalField(_("batas bawah"), max_digits=7, decimal_places=3, null=True, blank=True)
    upper = models.DecimalField(_("batas atas"), max_digits=7, decimal_places=3, null=True, blank=True)

    class Meta:
        db_table = "assessments_band"
        ordering = ["scheme", "order"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        constraints = [models.UniqueConstraint(fields=["scheme", "order"], name="band_order_unique")]

    def __str__(self) -> str:
        return self.label


class InstrumentQuerySet(models.QuerySet):
    def locked(self) -> InstrumentQuerySet:
        """THE lock rule: instruments used by a period that has questionnaires (read-only from then on).

        The survey layer above is reached through the reverse relations its models declare
        (Period.instrument, Collection.period, Questionnaire.collection), so this app imports none of it.
        """
        return self.filter(periods__collections__questionnaires__isnull=False).distinct()


class Instrument(models.Model):
    """A version of the questionnaire. Locked (read-only) once a period using it has questionnaires."""

    version = models.CharField(_("versi"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True)
    band_scheme = models.ForeignKey(
        BandScheme, on_delete=models.PROTECT, related_name="instruments", verbose_name=_("skema kategori")
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("disalin dari"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        db_table = "assessments_instrument"
        ordering = ["-created_at", "-id"]
        verbose_name = _("instrumen")
        verbose_name_plural = _("instrumen")

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def is_locked(self) -> bool:
        return Instrument.objects.locked().filter(pk=self.pk).exists()


class RespondentGroup(models.Model):
    """Who answers: Keluarga, Masyarakat, Instansi Pemerintah, Pendidikan, Swasta; each with a quota."""

    class Unit(models.TextChoices):
        FAMILY = "family", _("Unit keluarga")
        NON_FAMILY = "non_family", _("Unit non-keluarga")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=100)
    unit = models.CharField(_("unit analisis"), max_length=12, choices=Unit.choices)
    min_quota = models.PositiveIntegerField(_("kuota minimum"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        db_table = "assessments_respondentgroup"
        ordering = ["instrument", "order", "id"]
        verbose_name = _("kelompok responden")
        verbose_name_plural = _("kelompok responden")
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="group_code_unique")]

    def __str__(self) -> str:
        return self.name


class Variable(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="variables")
    code = models.SlugField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=100)
    weight = models.DecimalField(_("bobot"), max_digits=8, decimal_places=4, default=1)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        db_table = "assessments_variable"
        ordering = ["instrument", "order", "id"]
        verbose_name = _("variabel")
        verbose_name_plural = _("variabel")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="variable_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="variable_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    variable = models.ForeignKey(Variable, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=200)
    weight = models.DecimalField(_("bobot"), max_digits=8, decimal_places=4, default=1)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        db_table = "assessments_indicator"
        ordering = ["variable__order", "order", "id"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        constraints = [
            models.UniqueConstraint(fields=["variable", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question. Its options give the score of each answer value (see Option)."""

    class Kind(models.TextChoices):
        LIKERT = "likert", _("Skala Likert 1–5")
        YESNO = "yesno", _("Ya/tidak")
        CHOICE = "choice", _("Pilihan tunggal")
        NUMBER = "number", _("Angka dengan ambang")

    # Denormalised from indicator.variable.instrument so codes are unique per instrument and
    # a period's questions load with one indexed filter.
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("kode"), max_length=30)
    text = models.TextField(_("pertanyaan"))
    help_text = models.TextField(_("petunjuk"), blank=True)
    kind = models.CharField(_("jenis jawaban"), max_length=10, choices=Kind.choices, default=Kind.LIKERT)
    weight = models.DecimalField(_("bobot"), max_digits=8, decimal_places=4, default=1)
    required = models.BooleanField(_("wajib"), default=True)
    groups = models.ManyToManyField(
        RespondentGroup, related_name="questions", verbose_name=_("ditanyakan kepada")
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        db_table = "assessments_question"
        ordering = ["indicator__variable__order", "indicator__order", "order", "id"]
        verbose_name = _("pertanyaan")
        verbose_name_plural = _("pertanyaan")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="question_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="question_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"


class Option(models.Model):
    """An answer value and its score. Likert: values 1..5 scored 0..4; yes/no: 1 (ya) scored 1, 0 scored 0;
    choice: each option's value and score. Number: `value` is the lower threshold of a band, and a typed
    number takes the score of the highest threshold not above it. A question's score in [0, 1] is the
    answer's option score divided by the question's highest option score.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    value = models.FloatField(_("nilai"))
    label = models.CharField(_("label"), max_length=200)
    score = models.FloatField(_("skor"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        db_table = "assessments_option"
        ordering = ["question", "order", "value"]
        verbose_name = _("opsi jawaban")
        verbose_name_plural = _("opsi jawaban")
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="option_value_unique"),
            models.CheckConstraint(condition=Q(score__gte=0), name="option_score_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.label


class EvidenceType(models.Model):
    """A kind of supporting document the instrument asks for (SK Tim Terpadu, RAD P4GN, Perda, MoU, …)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="evidence_types")
    code = models.SlugField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=200)
    required = models.BooleanField(_("wajib"), default=False)
    questions = models.ManyToManyField(
        Question, blank=True, related_name="evidence_types", verbose_name=_("pertanyaan yang didukung")
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        db_table = "assessments_evidencetype"
        ordering = ["instrument", "order", "id"]
        verbose_name = _("jenis bukti dukung")
        verbose_name_plural = _("jenis bukti dukung")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="evidencetype_code_unique")
        ]

    def __str__(self) -> str:
        return self.name
