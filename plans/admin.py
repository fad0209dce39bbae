"""Django admin for BNN pusat: action plans (items inline), instansi/OPD, follow-ups and comments, view only.

They are written on the plan pages (the kab/kota's BNNK, the province's BNNP) through plans.services and
plans.monev_services, which check scope and keep history; here they are only read, filtered by province,
period and status, like the survey data (assessments.admin.ViewOnlyAdmin). Follow-up files are served only
through the scope-checked download on the plan page, never from here.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from assessments.admin import ViewOnlyAdmin

from .models import ActionItem, ActionPlan, Agency, FollowUp, PlanComment


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = [
        "activity",
        "strategy",
        "agency",
        "target_date",
        "status",
        "budget",
        "budget_source",
        "completed_at",
    ]
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActionPlan)
class ActionPlanAdmin(ViewOnlyAdmin):
    list_display = ["title", "regency", "period", "item_count", "created_at"]
    list_filter = ["collection__period", "collection__regency__province", "items__status"]
    list_select_related = ["collection__regency", "collection__period"]
    search_fields = ["title", "collection__regency__name", "collection__regency__code"]
    exclude = ["created_by"]
    raw_id_fields = ["collection", "rad_document"]
    inlines = [ActionItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    @admin.display(description=gettext_lazy("kab/kota"), ordering="collection__regency__name")
    def regency(self, obj):
        return obj.collection.regency

    @admin.display(description=gettext_lazy("periode"), ordering="collection__period__year")
    def period(self, obj):
        return obj.collection.period

    @admin.display(description=gettext_lazy("butir"))
    def item_count(self, obj):
        return obj.items.count()


@admin.register(Agency)
class AgencyAdmin(ViewOnlyAdmin):
    list_display = ["name", "regency"]
    list_filter = ["regency__province"]
    list_select_related = ["regency"]
    search_fields = ["name", "regency__name"]


@admin.register(FollowUp)
class FollowUpAdmin(ViewOnlyAdmin):
    list_display = ["item", "regency", "date", "progress", "original_name", "created_by", "created_at"]
    list_filter = [
        "item__plan__collection__period",
        "item__plan__collection__regency__province",
        "item__status",
    ]
    list_select_related = ["item__plan__collection__regency", "created_by"]
    search_fields = ["note", "item__activity", "item__plan__collection__regency__name"]
    # The file is served only through the scope-checked download of the plan page.
    exclude = ["file"]
    raw_id_fields = ["item"]

    @admin.display(description=gettext_lazy("kab/kota"), ordering="item__plan__collection__regency__name")
    def regency(self, obj):
        return obj.item.plan.collection.regency


@admin.register(PlanComment)
class PlanCommentAdmin(ViewOnlyAdmin):
    list_display = ["text", "plan", "item", "author", "created_at"]
    list_filter = ["plan__collection__period", "plan__collection__regency__province"]
    list_select_related = ["plan", "item", "author"]
    search_fields = ["text", "plan__title"]
    raw_id_fields = ["plan", "item"]
