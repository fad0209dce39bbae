from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Penilaian")

    def ready(self) -> None:
        from .autosave import specs  # noqa: F401  (connects the signals that clear its cache)
