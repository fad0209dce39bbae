"""Django admin for BNN pusat: band schemes and instruments (locked ones read-only), with XLSX and copy.

An instrument and everything under it (groups, variables, indicators, questions, options, evidence
types) is read-only once locked (Instrument.objects.locked: a period using it has questionnaires):
change it by "Salin ke versi baru". Children are added on their parent's page (inlines), so the
parent's lock guards every add. A band scheme edit asks the survey layer to rescore its periods
through signals.band_scheme_changed.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotan.access import is_national
from kotan.lib.service_errors import ServiceError

from . import signals
from . import xlsx as instrument_xlsx
from .default import standard_options
from .models import (
    Band,
    BandScheme,
    EvidenceType,
    Indicator,
    Instrument,
    Option,
    Question,
    RespondentGroup,
    Variable,
)
from .services import CODE_MAX, CODE_RE, copy_version_suggest, instrument_copy, options_problems

LOCKED_MESSAGE = gettext_lazy(
    "Instrumen %(version)s terkunci: sudah dipakai periode yang memiliki kuesioner, sehingga hanya bisa "
    "dilihat. Untuk mengubahnya, gunakan 'Salin ke versi baru' lalu ubah salinannya."
)


# --- Lock checks (cached per request: inlines ask many times) -------------------------------------------


def _locked(request, instrument_id: int | None) -> bool:
    if instrument_id is None:
        return False
    cache = request.__dict__.setdefault("_kotan_locked", {})
    if instrument_id not in cache:
        cache[instrument_id] = Instrument.objects.locked().filter(pk=instrument_id).exists()
    return cache[instrument_id]


def _instrument_id(obj) -> int | None:
    """The instrument an admin object belongs to (None for a new object)."""
    if obj is None or obj.pk is None:
        return None
    if isinstance(obj, Instrument):
        return obj.pk
    if isinstance(obj, Indicator):
        return obj.variable.instrument_id
    if isinstance(obj, Option):
        return obj.question.instrument_id
    return obj.instrument_id


class LockMixin:
    """Read-only (view only) for objects of a locked instrument, with a message saying why."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _locked(request, _instrument_id(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _locked(request, _instrument_id(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            instrument_id = _instrument_id(obj)
            if _locked(request, instrument_id):
                version = (
                    Instrument.objects.filter(pk=instrument_id).values_list("version", flat=True).first()
                )
                messages.warning(request, LOCKED_MESSAGE % {"version": version})
        return super().change_view(request, object_id, form_url, extra_context)


class LockedParentInlineMixin:
    """An inline on a parent page: no add, change or delete when the parent's instrument is locked."""

    def _parent_locked(self, request, obj) -> bool:
        return _locked(request, _instrument_id(obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._parent_locked(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._parent_locked(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._parent_locked(request, obj)


def _change_link(obj):
    return format_html('<a href="{}">{}</a>', reverse(admin_urlname(obj._meta, "change"), args=[obj.pk]), obj)


# --- Codes like "KK1.1" ----------------------------------------------------------------------------------

CODE_VALIDATOR = RegexValidator(
    CODE_RE, gettext_lazy("Kode hanya boleh berisi huruf, angka, titik, garis bawah, dan tanda hubung.")
)


class CodeForm(forms.ModelForm):
    """A model form whose `code` accepts dots ("KK1.1"), which the models' SlugField would refuse."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "code" in self.fields:
            old = self.fields["code"]
            self.fields["code"] = forms.CharField(
                label=old.label,
                max_length=CODE_MAX,
                validators=[CODE_VALIDATOR],
                help_text=_("Mis. KK1.1: huruf, angka, titik, garis bawah, tanda hubung."),
            )

    def _post_clean(self):
        # Skip only the model's slug validator on `code`; unique constraints are still checked.
        instance = self.instance
        original = instance.clean_fields

        def clean_fields(exclude=None):
            return original(exclude={*(exclude or ()), "code"})

        instance.clean_fields = clean_fields
        try:
            super()._post_clean()
        finally:
            del instance.clean_fields


# --- Band schemes ---------------------------------------------------------------------------------------


class BandInline(admin.TabularInline):
    model = Band
    extra = 0
    fields = ["order", "label", "lower", "upper"]


def announce_rescore(request, periods: int) -> None:
    """Tell the admin user how many periods' scores will be recomputed in the background."""
    if periods:
        messages.info(
            request, _("Skor %(n)d periode akan dihitung ulang di latar belakang.") % {"n": periods}
        )


@admin.register(BandScheme)
class BandSchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "scale_min", "scale_max", "decimals"]
    search_fields = ["code", "name"]
    inlines = [BandInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # New edges or scale: every period whose instrument uses the scheme gets new categories.
        if change:
            answers = signals.band_scheme_changed.send(sender=BandScheme, band_scheme_id=form.instance.pk)
            announce_rescore(request, sum(n for _receiver, n in answers if isinstance(n, int)))


# --- Instrument and its children ------------------------------------------------------------------------


class RespondentGroupInline(LockedParentInlineMixin, admin.TabularInline):
    model = RespondentGroup
    form = CodeForm
    extra = 0
    fields = ["order", "code", "name", "unit", "min_quota"]


class VariableInline(LockedParentInlineMixin, admin.TabularInline):
    model = Variable
    form = CodeForm
    extra = 0
    fields = ["order", "code", "name", "weight"]
    show_change_link = True


class EvidenceTypeInline(LockedParentInlineMixin, admin.TabularInline):
    model = EvidenceType
    form = CodeForm
    extra = 0
    fields = ["order", "code", "name", "required"]
    show_change_link = True
    verbose_name_plural = gettext_lazy("jenis bukti dukung (pertanyaan yang didukung: buka tautan ubah)")


@admin.register(Instrument)
class InstrumentAdmin(LockMixin, admin.ModelAdmin):
    list_display = [
        "version",
        "name",
        "band_scheme",
        "question_count",
        "locked",
        "copied_from_version",
        "created_at",
    ]
    list_select_related = ["band_scheme", "copied_from"]
    search_fields = ["version", "name"]
    readonly_fields = ["copied_from", "created_at"]
    fields = ["version", "name", "description", "band_scheme", "copied_from", "created_at"]
    inlines = [RespondentGroupInline, VariableInline, EvidenceTypeInline]
    actions = ["copy_to_new_version", "export_xlsx"]
    change_form_template = "admin/instruments/instrument/change_form.html"
    change_list_template = "admin/instruments/instrument/change_list.html"

    def get_queryset(self, request):
        used = Instrument.objects.locked().filter(pk=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(_questions=Count("questions", distinct=True), _locked=Exists(used))
        )

    @admin.display(description=gettext_lazy("pertanyaan"), ordering="_questions")
    def question_count(self, obj):
        return obj._questions

    @admin.display(description=gettext_lazy("disalin dari"), ordering="copied_from__version")
    def copied_from_version(self, obj):
        return obj.copied_from.version if obj.copied_from_id else "-"

    @admin.display(description=gettext_lazy("terkunci"), boolean=True, ordering="_locked")
    def locked(self, obj):
        return obj._locked

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("impor/", view(self.import_view), name="instruments_instrument_import"),
            path("<int:pk>/ekspor/", view(self.export_view), name="instruments_instrument_export"),
            path("<int:pk>/salin/", view(self.copy_view), name="instruments_instrument_copy"),
            *super().get_urls(),
        ]

    def _ensure_pusat(self, request, *, add=False):
        if not is_national(request.user):
            raise PermissionDenied
        if add and not self.has_add_permission(request):
            raise PermissionDenied
        if not add and not self.has_view_permission(request):
            raise PermissionDenied

    @admin.action(description=gettext_lazy("Salin ke versi baru"))
    def copy_to_new_version(self, request, queryset):
        self._ensure_pusat(request, add=True)
        for original in queryset:
            copy = instrument_copy(
                instrument=original,
                version=copy_version_suggest(original),
                name=original.name[:190] + _(" (salinan)"),
            )
            messages.success(
                request,
                _("Instrumen %(old)s disalin ke versi baru %(new)s; salinan dapat diubah.")
                % {"old": original.version, "new": copy.version},
            )

    @admin.action(description=gettext_lazy("Ekspor ke XLSX"))
    def export_xlsx(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, _("Pilih tepat satu instrumen untuk diekspor."))
            return None
        return self._xlsx_response(queryset.get())

    def _xlsx_response(self, instrument):
        response = HttpResponse(
            instrument_xlsx.instrument_export(instrument),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{instrument_xlsx.export_filename(instrument)}"'
        )
        return response

    def export_view(self, request, pk):
        self._ensure_pusat(request)
        return self._xlsx_response(get_object_or_404(Instrument, pk=pk))

    def copy_view(self, request, pk):
        self._ensure_pusat(request, add=True)
        original = get_object_or_404(Instrument, pk=pk)
        form = CopyForm(
            request.POST or None,
            initial={
                "version": copy_version_suggest(original),
                "name": original.name[:190] + _(" (salinan)"),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                copy = instrument_copy(
                    instrument=original, version=form.cleaned_data["version"], name=form.cleaned_data["name"]
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Instrumen %(old)s disalin ke versi baru %(new)s; salinan dapat diubah.")
                    % {"old": original.version, "new": copy.version},
                )
                return redirect("admin:instruments_instrument_change", copy.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Salin instrumen %(version)s ke versi baru") % {"version": original.version},
            "original": original,
            "form": form,
        }
        return TemplateResponse(request, "admin/instruments/instrument/copy.html", context)

    def import_view(self, request):
        self._ensure_pusat(request, add=True)
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > instrument_xlsx.MAX_BYTES:
                data = b""
                problems = [
                    _("Berkas terlalu besar (maksimal %(mb)d MB).")
                    % {"mb": instrument_xlsx.MAX_BYTES // (1024 * 1024)}
                ]
            else:
                data = upload.read()
                result = instrument_xlsx.instrument_import(
                    data, version=form.cleaned_data["version"], name=form.cleaned_data["name"]
                )
                if result.instrument is not None:
                    messages.success(
                        request,
                        _("Instrumen %(version)s dibuat dari berkas (%(n)d pertanyaan).")
                        % {"version": result.instrument.version, "n": result.instrument.questions.count()},
                    )
                    return redirect("admin:instruments_instrument_change", result.instrument.pk)
                problems = result.problems
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Impor instrumen dari XLSX"),
            "form": form,
            "problems": problems,
            "sheets": instrument_xlsx.HELP_ROWS,
        }
        return TemplateResponse(request, "admin/instruments/instrument/import.html", context)


class CopyForm(forms.Form):
    version = forms.CharField(label=gettext_lazy("Versi baru"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Nama"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Berkas XLSX"))
    version = forms.CharField(
        label=gettext_lazy("Versi baru"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Kosongkan untuk memakai versi di lembar 'instrumen'."),
    )
    name = forms.CharField(
        label=gettext_lazy("Nama"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Kosongkan untuk memakai nama di lembar 'instrumen'."),
    )


class IndicatorInline(LockedParentInlineMixin, admin.TabularInline):
    model = Indicator
    form = CodeForm
    extra = 0
    fields = ["order", "code", "name", "weight"]
    show_change_link = True


@admin.register(Variable)
class VariableAdmin(LockMixin, admin.ModelAdmin):
    form = CodeForm
    list_display = ["code", "name", "weight", "instrument"]
    list_filter = ["instrument"]
    list_select_related = ["instrument"]
    fields = ["instrument_link", "order", "code", "name", "weight"]
    readonly_fields = ["instrument_link"]
    inlines = [IndicatorInline]

    @admin.display(description=gettext_lazy("instrumen"))
    def instrument_link(self, obj):
        return _change_link(obj.instrument)

    def has_add_permission(self, request):
        return False  # added on the instrument's page


class QuestionInlineFormSet(forms.BaseInlineFormSet):
    """Questions of an indicator: codes unique in the whole instrument (the form cannot see `instrument`)."""

    def clean(self):
        super().clean()
        instrument_id = self.instance.variable.instrument_id
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            code = form.cleaned_data.get("code")
            if not code:
                continue
            taken = (
                Question.objects.filter(instrument_id=instrument_id, code=code)
                .exclude(pk=form.instance.pk)
                .exists()
            )
            if code in seen or taken:
                form.add_error(
                    "code", _("Kode pertanyaan '%(code)s' sudah dipakai di instrumen ini.") % {"code": code}
                )
            seen.add(code)


class QuestionInlineForm(CodeForm):
    def _post_clean(self):
        # The instrument is the indicator's (denormalised); set it before the model is validated.
        if self.instance.instrument_id is None and self.instance.indicator_id is not None:
            self.instance.instrument_id = self.instance.indicator.variable.instrument_id
        super()._post_clean()


class QuestionInline(LockedParentInlineMixin, admin.StackedInline):
    # Stacked: a question's text and its groups do not fit a table row, least of all on a phone.
    model = Question
    form = QuestionInlineForm
    formset = QuestionInlineFormSet
    extra = 0
    fields = [("order", "code", "kind"), "text", ("weight", "required"), "groups"]
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 50})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            instrument_id = _parent_instrument_id(request, Indicator)
            kwargs["queryset"] = RespondentGroup.objects.filter(instrument_id=instrument_id)
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _parent_instrument_id(request, model) -> int | None:
    object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
    if not object_id:
        return None
    obj = model.objects.filter(pk=object_id).first()
    return _instrument_id(obj)


@admin.register(Indicator)
class IndicatorAdmin(LockMixin, admin.ModelAdmin):
    form = CodeForm
    list_display = ["code", "name", "weight", "variable", "instrument"]
    list_filter = ["variable__instrument"]
    list_select_related = ["variable__instrument"]
    fields = ["variable_link", "order", "code", "name", "weight"]
    readonly_fields = ["variable_link"]
    inlines = [QuestionInline]

    @admin.display(description=gettext_lazy("variabel"))
    def variable_link(self, obj):
        return _change_link(obj.variable)

    @admin.display(description=gettext_lazy("instrumen"))
    def instrument(self, obj):
        return obj.variable.instrument

    def has_add_permission(self, request):
        return False  # added on the variable's page

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Question:
            # A new Likert or yes/no question gets its standard options; choice and number questions
            # need theirs on the question's page.
            for question in formset.new_objects:
                if not question.options.exists():
                    Option.objects.bulk_create(
                        Option(question=question, **o) for o in standard_options(question.kind)
                    )


class OptionInlineFormSet(forms.BaseInlineFormSet):
    """The options must fit the question's kind (Likert 1..5, yes/no 1/0, thresholds from 0)."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        options = [
            {"value": f.cleaned_data["value"], "score": f.cleaned_data["score"]}
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not f.cleaned_data.get("DELETE")
            and "value" in f.cleaned_data
        ]
        problems = options_problems(self.instance.kind, options)
        if problems:
            raise ValidationError([p[:1].upper() + p[1:] + "." for p in problems])


class OptionInline(LockedParentInlineMixin, admin.TabularInline):
    model = Option
    formset = OptionInlineFormSet
    extra = 0
    fields = ["order", "value", "label", "score"]


@admin.register(Question)
class QuestionAdmin(LockMixin, admin.ModelAdmin):
    form = CodeForm
    list_display = ["code", "short_text", "kind", "weight", "required", "indicator", "instrument"]
    list_filter = ["instrument", "kind", "required"]
    list_select_related = ["indicator", "instrument"]
    search_fields = ["code", "text"]
    fields = [
        "instrument_link",
        "indicator_link",
        "order",
        "code",
        "text",
        "help_text",
        "kind",
        "weight",
        "required",
        "groups",
    ]
    readonly_fields = ["instrument_link", "indicator_link"]
    inlines = [OptionInline]

    @admin.display(description=gettext_lazy("instrumen"))
    def instrument_link(self, obj):
        return _change_link(obj.instrument)

    @admin.display(description=gettext_lazy("indikator"))
    def indicator_link(self, obj):
        return _change_link(obj.indicator)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("text", "help_text"):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("pertanyaan"))
    def short_text(self, obj):
        return obj.text[:80]

    def has_add_permission(self, request):
        return False  # added on the indicator's page

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = RespondentGroup.objects.filter(
                instrument_id=_parent_instrument_id(request, Question)
            )
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(EvidenceType)
class EvidenceTypeAdmin(LockMixin, admin.ModelAdmin):
    form = CodeForm
    list_display = ["code", "name", "required", "instrument"]
    list_filter = ["instrument", "required"]
    list_select_related = ["instrument"]
    fields = ["instrument_link", "order", "code", "name", "required", "questions"]
    readonly_fields = ["instrument_link"]
    filter_horizontal = ["questions"]

    @admin.display(description=gettext_lazy("instrumen"))
    def instrument_link(self, obj):
        return _change_link(obj.instrument)

    def has_add_permission(self, request):
        return False  # added on the instrument's page

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "questions":
            kwargs["queryset"] = Question.objects.filter(
                instrument_id=_parent_instrument_id(request, EvidenceType)
            ).order_by("indicator__variable__order", "indicator__order", "order")
        return super().formfield_for_manytomany(db_field, request, **kwargs)
