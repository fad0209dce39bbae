"""Django admin for BNN pusat: periods (participants, rescore), and the survey data, view only.

Collections, questionnaires, evidence and respondent links are view-only here: they change through the
survey pages and services, which keep history and check the workflow. The instrument's admin is
instruments.admin.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruments.admin import announce_rescore
from regions.models import Regency

from . import signals
from .models import Collection, Evidence, Period, Questionnaire, RespondentLink

# --- Periods ----------------------------------------------------------------------------------------------


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "name",
        "instrument",
        "collection_opens",
        "collection_deadline",
        "verification_deadline",
        "target_count",
        "participant_count",
        "is_synthetic",
    ]
    list_select_related = ["instrument"]
    filter_horizontal = ["participants"]
    actions = ["recompute_scores"]

    @admin.action(description=gettext_lazy("Hitung ulang skor periode terpilih"))
    def recompute_scores(self, request, queryset):
        for period in queryset:
            signals.request_period_rescore_after_commit(period.pk)
        announce_rescore(request, len(queryset))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_participants=Count("participants", distinct=True))

    @admin.display(description=gettext_lazy("kab/kota peserta"), ordering="_participants")
    def participant_count(self, obj):
        return obj._participants

    def get_readonly_fields(self, request, obj=None):
        # Once questionnaires exist, the instrument they answer cannot change under them.
        if obj is not None and Questionnaire.objects.filter(collection__period=obj).exists():
            return ["instrument"]
        return []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "participants":
            kwargs["queryset"] = Regency.objects.order_by("code")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        before = form.instance.collections.count()
        # Saving the participants makes the new ones' collections (services.on_participants_changed).
        super().save_related(request, form, formsets, change)
        created = form.instance.collections.count() - before
        if created:
            messages.info(request, _("%(n)d koleksi kab/kota dibuat untuk peserta baru.") % {"n": created})


# --- Survey data: view only --------------------------------------------------------------------------------


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Collection)
class CollectionAdmin(ViewOnlyAdmin):
    list_display = ["regency", "period", "state", "review_round", "submitted_at", "deadline_extended_to"]
    list_filter = ["period", "state", "regency__province"]
    list_select_related = ["regency", "period"]
    search_fields = ["regency__name", "regency__code"]
    exclude = ["submitted_by"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(ViewOnlyAdmin):
    list_display = ["id", "collection", "group", "state", "method", "label", "filled_on", "entered_by"]
    list_filter = ["collection__period", "state", "method", "group__code"]
    list_select_related = ["collection__regency", "collection__period", "group", "entered_by"]
    search_fields = ["collection__regency__name", "label", "village"]
    raw_id_fields = ["collection", "entered_by"]


@admin.register(Evidence)
class EvidenceAdmin(ViewOnlyAdmin):
    list_display = ["title", "collection", "evidence_type", "original_name", "size", "uploaded_at"]
    list_filter = ["collection__period", "evidence_type__code"]
    list_select_related = ["collection__regency", "collection__period", "evidence_type"]
    # The file itself is served only through the scope-checked download view, never a media URL.
    exclude = ["file", "uploaded_by"]
    raw_id_fields = ["collection"]


@admin.register(RespondentLink)
class RespondentLinkAdmin(ViewOnlyAdmin):
    list_display = ["id", "questionnaire", "expires_at", "opened_at", "used_at", "created_at"]
    list_select_related = ["questionnaire__group"]
    # The token is the respondent's key: never shown, not even to administrators.
    exclude = ["token", "created_by"]
    raw_id_fields = ["questionnaire"]
