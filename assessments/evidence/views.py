"""Evidence pages: upload (BNNK while entry is open), download (anyone who may see the kab/kota), delete.

Scope comes from kotan.access: a document of a kab/kota the user may not see is a 404. A refused upload
re-shows the form with the Indonesian reason and changes nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from instruments.models import EvidenceType, Question
from kotan import access
from kotan.lib import stored_files
from kotan.lib.service_errors import ServiceError

from .. import pages
from ..models import Evidence
from . import services as evidence_service

# A body this far beyond the limit is refused before Django reads it into a temporary file.
ABUSIVE_FACTOR = 4


class QuestionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Question) -> str:
        text = obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"
        return f"{obj.code} · {text}"


class EvidenceUploadForm(forms.Form):
    evidence_type = forms.ModelChoiceField(
        label=gettext_lazy("Jenis bukti"),
        queryset=EvidenceType.objects.none(),
        required=False,
        empty_label=gettext_lazy("Lainnya (tanpa jenis)"),
        error_messages={"invalid_choice": gettext_lazy("Jenis bukti tidak dikenal untuk periode ini.")},
    )
    title = forms.CharField(
        label=gettext_lazy("Judul"),
        max_length=200,
        required=False,
        help_text=gettext_lazy('Misalnya "SK Tim Terpadu P4GN 2026". Kosong: nama berkas.'),
    )
    questions = QuestionChoiceField(
        label=gettext_lazy("Pertanyaan yang didukung"),
        queryset=Question.objects.none(),
        required=False,
        help_text=gettext_lazy("Kosong: pertanyaan yang biasa didukung jenis bukti ini."),
        error_messages={"invalid_choice": gettext_lazy("Pertanyaan tidak dikenal untuk periode ini.")},
    )
    file = forms.FileField(
        label=gettext_lazy("Berkas"),
        error_messages={
            "required": gettext_lazy("Pilih berkas yang akan diunggah."),
            "empty": gettext_lazy("Berkas kosong; pilih berkas lain."),
            "invalid": gettext_lazy("Berkas tidak terbaca; coba unggah lagi."),
        },
    )

    def __init__(self, *args, instrument_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_type"].queryset = EvidenceType.objects.filter(
            instrument_id=instrument_id
        ).order_by("-required", "order", "id")
        self.fields["questions"].queryset = Question.objects.filter(instrument_id=instrument_id).order_by(
            "indicator__variable__order", "indicator__order", "order", "id"
        )
        self.fields["file"].widget.attrs["accept"] = evidence_service.ACCEPT_ATTR


def _visible_evidence(user, pk: int) -> Evidence:
    doc = (
        Evidence.objects.select_related("collection__period", "collection__regency")
        .filter(pk=pk, collection__regency__in=access.visible_regencies(user))
        .first()
    )
    if doc is None:
        raise Http404(_("Bukti dukung tidak ditemukan."))
    return doc


def _render_upload(request, collection, form, error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "assessments/evidence_upload.html",
        {
            "collection": collection,
            "collection_url": pages.collection_url(collection),
            "form": form,
            "error": error,
            "max_size": evidence_service.max_size_label(),
            "allowed": evidence_service.ALLOWED_LABEL,
        },
        status=status,
    )


@login_required
def evidence_upload(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    home = pages.collection_url(collection) + "#bukti"
    reason = pages.read_only_reason(request.user, collection)
    if reason:
        messages.error(request, reason)
        return redirect(home)
    instrument_id = collection.period.instrument_id
    if request.method != "POST":
        initial = {}
        type_id = request.GET.get("jenis", "")
        if type_id.isdigit() and len(type_id) < 12:
            initial["evidence_type"] = int(type_id)
        return _render_upload(
            request, collection, EvidenceUploadForm(initial=initial, instrument_id=instrument_id)
        )

    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > ABUSIVE_FACTOR * evidence_service.max_bytes():
        form = EvidenceUploadForm(instrument_id=instrument_id)
        message = _("Berkas terlalu besar. Ukuran maksimum %(max)s per berkas.") % {
            "max": evidence_service.max_size_label()
        }
        return _render_upload(request, collection, form, message, status=413)

    form = EvidenceUploadForm(request.POST, request.FILES, instrument_id=instrument_id)
    if not form.is_valid():
        return _render_upload(request, collection, form, _("Periksa isian di bawah."), status=400)
    try:
        doc = evidence_service.evidence_upload(
            collection=collection,
            user=request.user,
            uploaded_file=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            evidence_type=form.cleaned_data["evidence_type"],
            questions=form.cleaned_data["questions"],
        )
    except ServiceError as exc:
        return _render_upload(request, collection, form, exc.message, status=exc.status)
    messages.success(request, _('Bukti dukung "%(title)s" diunggah.') % {"title": doc.title})
    return redirect(home)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    doc = _visible_evidence(request.user, pk)
    return stored_files.download(
        doc.file,
        filename=doc.original_name,
        content_type=doc.content_type,
        missing=_("Berkas bukti dukung tidak ditemukan di server."),
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _visible_evidence(request.user, pk)
    home = pages.collection_url(doc.collection) + "#bukti"
    title = doc.title
    try:
        evidence_service.evidence_delete(evidence=doc, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _('Bukti dukung "%(title)s" dihapus (tetap tercatat di riwayat).') % {"title": title}
        )
    return redirect(home)
