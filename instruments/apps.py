"""The instrument app's configuration (versions of the questionnaire, band schemes, their admin and XLSX)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "instruments"
    verbose_name = _("Instrumen")
