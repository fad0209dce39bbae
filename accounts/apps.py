"""The accounts app: KOTAN's users, their roles, and BNN pusat's admin group kept in step after migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .staff import sync_after_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Pengguna")

    def ready(self):
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="accounts_pusat_group")
