"""The one field of every two-factor form: a code from the authenticator app, or a backup code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import two_factor


class CodeForm(forms.Form):
    """A code as typed (spaces and dashes allowed), cleaned to two_factor.normalize_code's form.
    `backup=False` (the setup page) takes only the app's 6 digits."""

    code = forms.CharField(
        label=_("Kode verifikasi"),
        max_length=20,
        error_messages={"required": _("Masukkan kode."), "max_length": _("Kode terlalu panjang.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "size": 12}),
    )

    def __init__(self, *args, backup: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.backup = backup
        if backup:
            self.fields["code"].help_text = _(
                "6 angka dari aplikasi autentikator, atau satu kode cadangan (8 huruf dan angka)."
            )
        else:
            self.fields["code"].help_text = _("6 angka yang sedang tampil di aplikasi autentikator.")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self) -> str:
        code = two_factor.normalize_code(self.cleaned_data["code"])
        if two_factor.TOTP_CODE.fullmatch(code) or (self.backup and two_factor.BACKUP_CODE.fullmatch(code)):
            return code
        if self.backup:
            raise forms.ValidationError(
                _("Masukkan 6 angka dari aplikasi autentikator atau satu kode cadangan (8 huruf dan angka).")
            )
        raise forms.ValidationError(_("Masukkan 6 angka dari aplikasi autentikator."))
