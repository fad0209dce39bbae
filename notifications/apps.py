"""The notifications app's configuration: it connects its receivers of the survey's signals."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifikasi")

    def ready(self) -> None:
        # Imported here, not at the top: the receivers use models, loadable only once the registry is ready.
        from . import receivers

        receivers.connect()
