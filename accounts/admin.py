"""The user admin: role and kab/kota or province; the role also decides staff status and admin group."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "regency", "province", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["regency", "province"]
    autocomplete_fields = ["regency", "province"]
    _scope = (_("Peran dan wilayah"), {"fields": ["role", "regency", "province"]})
    fieldsets = (*BaseUserAdmin.fieldsets, _scope)
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, _scope)

    def save_related(self, request, form, formsets, change):
        # The form's "groups" field has just replaced the user's groups: put back what the role gives.
        super().save_related(request, form, formsets, change)
        form.instance.sync_role_access()
