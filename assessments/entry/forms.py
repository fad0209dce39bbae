"""Forms of the survey pages: they only validate; the views call services to write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instruments.models import RespondentGroup

from ..models import Questionnaire


class QuestionnaireStartForm(forms.Form):
    """The group and the respondent label of a new questionnaire (no personal identifiers)."""

    group = forms.ModelChoiceField(
        label=_("Kelompok responden"),
        queryset=RespondentGroup.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Pilih kelompok responden."),
            "invalid_choice": _("Kelompok responden tidak dikenal untuk periode ini."),
        },
    )
    label = forms.CharField(
        label=_("Lembaga / rumah tangga"),
        max_length=200,
        required=False,
        help_text=_("Misalnya nama sekolah atau kode rumah tangga. Jangan tulis nama pribadi."),
    )
    village = forms.CharField(label=_("Desa/kelurahan"), max_length=120, required=False)
    filled_on = forms.DateField(
        label=_("Tanggal pengisian"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Tanggal tidak valid."), "required": _("Isi tanggal pengisian.")},
    )

    def __init__(self, *args, instrument_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = RespondentGroup.objects.filter(instrument_id=instrument_id).order_by(
            "order", "id"
        )
        self.fields["group"].label_from_instance = lambda g: g.name

    def clean_filled_on(self):
        value = self.cleaned_data["filled_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal pengisian tidak boleh di masa depan."))
        if value.year < 2000:
            raise forms.ValidationError(_("Tanggal pengisian tidak valid."))
        return value


STATE_CHOICES = [("", _("Semua status")), *Questionnaire.State.choices]


class QuestionnaireFilterForm(forms.Form):
    """Filters of the questionnaire list; unknown values are ignored, never an error page."""

    kelompok = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Kelompok"))
    status = forms.ChoiceField(required=False, choices=STATE_CHOICES, label=_("Status"))
    oleh = forms.ChoiceField(required=False, label=_("Diisi oleh"))

    def __init__(self, *args, groups, enterers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelompok"].choices = [("", _("Semua kelompok")), *((g.pk, g.name) for g in groups)]
        self.fields["oleh"].choices = [
            ("", _("Semua pengisi")),
            ("link", _("Tautan responden")),
            ("excel", _("Impor Excel")),
            *((str(pk), name) for pk, name in enterers),
        ]

    def filters(self) -> dict:
        """Valid filter values only (an invalid one is dropped)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
