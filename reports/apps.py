"""The reports app's configuration: it listens to the scoring app's signal to re-render its reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Laporan")

    def ready(self) -> None:
        # Imported here, not at the top: models and tasks may only load once the app registry is ready.
        from scoring import signals

        from . import scheduling

        signals.scores_stored.connect(scheduling.on_scores_stored, dispatch_uid="reports.scores_stored")
