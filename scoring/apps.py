"""The scoring app's configuration: it listens to the survey's signals to keep stored scores fresh, and to
its own scores_stored to keep the period's reliability fresh."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    label = "scoring"
    verbose_name = _("Skor")

    def ready(self) -> None:
        # Imported here, not at the top: models and tasks may only load once the app registry is ready.
        from assessments import signals

        from . import reliability_tasks, scheduling
        from . import signals as scoring_signals

        signals.collection_score_stale.connect(
            scheduling.on_collection_score_stale, dispatch_uid="scoring.collection_score_stale"
        )
        signals.period_scores_stale.connect(
            scheduling.on_period_scores_stale, dispatch_uid="scoring.period_scores_stale"
        )
        scoring_signals.scores_stored.connect(
            reliability_tasks.on_scores_stored, dispatch_uid="scoring.reliability_scores_stored"
        )
