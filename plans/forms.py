"""The action item form: the fields of plans.services.ItemData, limited to the period's indicators and the
kab/kota's instansi/OPD; every message in Bahasa Indonesia."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from instruments.models import Indicator

from .models import ActionItem, Agency


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.code} · {obj.name}"


class ItemForm(forms.Form):
    indicators = IndicatorChoiceField(
        label=_("Indikator sasaran"),
        queryset=Indicator.objects.none(),
        error_messages={
            "required": _("Pilih sedikitnya satu indikator sasaran."),
            "invalid_choice": _("Indikator tidak dikenal untuk periode ini."),
            "invalid_pk_value": _("Indikator tidak dikenal untuk periode ini."),
        },
    )
    strategy = forms.ChoiceField(
        label=_("Strategi"),
        choices=ActionItem.Strategy.choices,
        error_messages={"invalid_choice": _("Strategi tidak dikenal.")},
    )
    agency = forms.ModelChoiceField(
        label=_("Instansi/OPD penanggung jawab"),
        queryset=Agency.objects.none(),
        error_messages={"invalid_choice": _("Instansi/OPD tidak dikenal untuk kab/kota ini.")},
    )
    activity = forms.CharField(label=_("Kegiatan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    expected_output = forms.CharField(
        label=_("Keluaran yang diharapkan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    target_date = forms.DateField(
        label=_("Target selesai"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Tanggal tidak valid (format TTTT-BB-HH).")},
    )
    budget = forms.DecimalField(
        label=_("Anggaran (Rp)"),
        required=False,
        min_value=0,
        max_digits=15,
        decimal_places=0,
        error_messages={
            "invalid": _("Anggaran harus berupa angka bulat rupiah."),
            "min_value": _("Anggaran tidak boleh negatif."),
            "max_digits": _("Anggaran terlalu besar."),
            "max_decimal_places": _("Anggaran dalam rupiah bulat, tanpa desimal."),
        },
    )
    budget_source = forms.CharField(
        label=_("Sumber anggaran"), max_length=120, required=False, help_text=_("Misalnya APBD, APBN, CSR.")
    )

    def __init__(self, *args, instrument_id: int, regency_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(
            variable__instrument_id=instrument_id
        ).select_related("variable")
        self.fields["indicators"].widget.attrs["size"] = 8
        self.fields["agency"].queryset = Agency.objects.filter(regency_id=regency_id)


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Instansi/OPD baru"), max_length=120)
