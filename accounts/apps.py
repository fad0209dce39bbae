"""The accounts app: KOTAN's users, their roles, BNN pusat's admin group kept in step after migrate, and
each sign-in noting whether it must ask for a two-factor code."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .staff import sync_after_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Pengguna")

    def ready(self):
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="accounts_pusat_group")
        # Imported here: accounts.two_factor reads django-otp's models, which exist only once apps are ready.
        from .two_factor import remember_device_at_login

        user_logged_in.connect(remember_device_at_login, dispatch_uid="accounts_two_factor_login")
