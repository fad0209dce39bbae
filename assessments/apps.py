"""The survey app's configuration: the signals it listens to itself (autosave's caches, participants)."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Penilaian")

    def ready(self) -> None:
        # Imported here: models and services load only once the app registry is ready. autosave.specs
        # connects, on import, the signals that clear its cache.
        from instruments.signals import band_scheme_changed

        from . import signals
        from .autosave import specs  # noqa: F401
        from .links import services as links
        from .models import Period
        from .services import on_band_scheme_changed, on_participants_changed

        m2m_changed.connect(
            on_participants_changed,
            sender=Period.participants.through,
            dispatch_uid="assessments.participants_collections",
        )
        band_scheme_changed.connect(on_band_scheme_changed, dispatch_uid="assessments.band_scheme_rescore")
        signals.collection_deadline_extended.connect(
            links.on_deadline_extended, dispatch_uid="assessments.links_follow_deadline"
        )
