"""The survey app's configuration: the signals it listens to itself (autosave's caches, participants)."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Penilaian")

    def ready(self) -> None:
        from .autosave import specs  # noqa: F401  (connects the signals that clear its cache)

        # Imported here: models and services load only once the app registry is ready.
        from .models import Period
        from .services import on_participants_changed

        m2m_changed.connect(
            on_participants_changed,
            sender=Period.participants.through,
            dispatch_uid="assessments.participants_collections",
        )
