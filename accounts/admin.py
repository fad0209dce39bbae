"""The user admin: role and kab/kota or province; the role also decides staff status and admin group.
Two-factor sign-in: a column saying who has it, and the action that resets it (a lost phone).

django-otp's own device admins are taken off the site: they show each user's secret key, QR code and
backup codes to any admin who may view them, enough to copy someone's second factor. A reset from the
user list is all the admin needs; the user then sets up a new authenticator at the next sign-in.
"""

import logging

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static import admin as otp_static_admin  # noqa: F401  (registers, see below)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as otp_totp_admin  # noqa: F401  (registers, see below)
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import two_factor
from .models import User

logger = logging.getLogger(__name__)

# Their admin modules, imported above, register them whatever the order of INSTALLED_APPS.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "regency", "province", "is_active", "two_factor_on"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["regency", "province"]
    autocomplete_fields = ["regency", "province"]
    readonly_fields = ["two_factor_on"]
    actions = ["two_factor_reset"]
    _scope = (_("Peran dan wilayah"), {"fields": ["role", "regency", "province"]})
    _two_factor = (_("Verifikasi dua langkah"), {"fields": ["two_factor_on"]})
    fieldsets = (*BaseUserAdmin.fieldsets, _scope, _two_factor)
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, _scope)

    def get_queryset(self, request):
        return two_factor.with_device_flag(super().get_queryset(request))

    @admin.display(description=_("Dua langkah"), boolean=True, ordering="two_factor_on")
    def two_factor_on(self, user: User) -> bool:
        return user.two_factor_on

    @admin.action(description=_("Reset verifikasi dua langkah"), permissions=["change"])
    def two_factor_reset(self, request, queryset):
        """Remove the authenticator and backup codes of the chosen users (logged in each one's history)."""
        reset = 0
        for user in queryset:
            if two_factor.devices_remove(user):
                reset += 1
                self.log_change(request, user, str(_("Verifikasi dua langkah direset.")))
                logger.warning("two-factor reset user=%s by user=%s", user.pk, request.user.pk)
        if reset:
            text = ngettext(
                "Verifikasi dua langkah direset untuk %(count)d pengguna; "
                "dipasang lagi saat masuk berikutnya.",
                "Verifikasi dua langkah direset untuk %(count)d pengguna; "
                "dipasang lagi saat masuk berikutnya.",
                reset,
            )
            self.message_user(request, text % {"count": reset}, messages.SUCCESS)
        else:
            self.message_user(request, _("Tidak ada pengguna terpilih yang memakai verifikasi dua langkah."))

    def save_related(self, request, form, formsets, change):
        # The form's "groups" field has just replaced the user's groups: put back what the role gives.
        super().save_related(request, form, formsets, change)
        form.instance.sync_role_access()
