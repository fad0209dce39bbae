"""Respondent links: the BNNK creates and follows them; the respondent fills without an account.

BNNK pages (login, scope from kotan.access): create a link, see one link with its QR code, list all links
of a collection. Public pages under /r/<token>/: the questionnaire of that one respondent, autosave with
the same JSON contract as staff entry, and completion. The public pages never show other questionnaires
or who works at the BNNK, are not indexed and send no referrer.
"""

from __future__ import annotations

import functools

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from instruments.models import Question, RespondentGroup
from kotan import access
from kotan.lib.service_errors import ServiceError

from .. import pages, selectors, services
from ..autosave import reads as autosave_reads
from ..autosave import responses
from ..models import RespondentLink
from . import services as links

LIST_PAGE_SIZE = 50


class LinkCreateForm(forms.Form):
    group = forms.ModelChoiceField(
        label=gettext_lazy("Kelompok responden"),
        queryset=RespondentGroup.objects.none(),
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Pilih kelompok responden."),
            "invalid_choice": gettext_lazy("Kelompok responden tidak dikenal untuk periode ini."),
        },
    )
    label = forms.CharField(
        label=gettext_lazy("Lembaga / rumah tangga (opsional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Hanya untuk catatan BNNK; tidak ditampilkan kepada responden."),
    )

    def __init__(self, *args, instrument_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = RespondentGroup.objects.filter(instrument_id=instrument_id).order_by(
            "order", "id"
        )


def link_url(request: HttpRequest, link: RespondentLink) -> str:
    return request.build_absolute_uri(reverse("respondent:page", args=[link.token]))


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (segno, no network), scaled by CSS."""
    qr = segno.make(url, error="m")
    return mark_safe(  # noqa: S308 - segno's own SVG of our own URL, no user markup
        qr.svg_inline(scale=4, border=2, svgclass="link-qr", lineclass=None, omitsize=True)
    )


def _own_link(user, pk: int) -> RespondentLink:
    """A link of the BNNK's own kab/kota (others, even BNNP, never see tokens); else 404."""
    link = (
        RespondentLink.objects.select_related(
            "questionnaire__group",
            "questionnaire__collection__period",
            "questionnaire__collection__regency",
        )
        .filter(pk=pk, questionnaire__collection__regency__in=access.visible_regencies(user))
        .first()
    )
    if link is None or not access.can_enter_data(user, link.questionnaire.collection.regency):
        raise Http404(_("Tautan tidak ditemukan."))
    return link


# --- BNNK pages -----------------------------------------------------------------------------------


@login_required
@require_POST
def link_create(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    home = pages.collection_url(collection) + "#tautan"
    form = LinkCreateForm(request.POST, instrument_id=collection.period.instrument_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(home)
    try:
        link = links.link_create(
            collection=collection,
            group=form.cleaned_data["group"],
            user=request.user,
            label=form.cleaned_data["label"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(home)
    messages.success(
        request,
        _("Tautan responden untuk %(group)s dibuat. Kirimkan tautan atau QR code ini kepada responden.")
        % {"group": link.questionnaire.group.name},
    )
    return redirect("assessments:link_detail", pk=link.pk)


@login_required
@require_GET
def link_detail(request: HttpRequest, pk: int) -> HttpResponse:
    link = _own_link(request.user, pk)
    collection = link.questionnaire.collection
    url = link_url(request, link)
    state = links.link_state(link)
    return render(
        request,
        "assessments/link_detail.html",
        {
            "link": link,
            "questionnaire": link.questionnaire,
            "collection": collection,
            "collection_url": pages.collection_url(collection),
            "url": url,
            "qr": qr_svg(url),
            "state": state,
            "state_label": links.STATE_LABELS[state],
        },
    )


@login_required
@require_GET
def link_list(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    """All links of a collection with their state; the BNNP and pusat see states, not the URLs."""
    collection = pages.get_collection(request.user, year, regency_code)
    page = Paginator(links.collection_links(collection), LIST_PAGE_SIZE).get_page(request.GET.get("hal"))
    now = timezone.now()
    for link in page.object_list:
        link.state = links.link_state(link, now)
        link.state_label = links.STATE_LABELS[link.state]
    return render(
        request,
        "assessments/link_list.html",
        {
            "collection": collection,
            "collection_url": pages.collection_url(collection),
            "page": page,
            "summary": links.collection_link_summary(collection, now),
            "is_bnnk": access.can_enter_data(request.user, collection.regency),
        },
    )


# --- public respondent pages -----------------------------------------------------------------------


def respondent_headers(view):
    """No referrer leaks the token to other sites, no search engine keeps the page, no cache keeps it."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _refused(request: HttpRequest, message: str, status: int, *, done: bool = False) -> HttpResponse:
    return render(
        request, "assessments/respondent_closed.html", {"message": message, "done": done}, status=status
    )


def _unknown(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        _("Tautan tidak ditemukan. Periksa kembali alamat yang Anda terima dari petugas BNN."),
        404,
    )


def _respondent_page(request: HttpRequest, link: RespondentLink, *, status: int = 200, missing=()):
    questionnaire = link.questionnaire
    sections, _unanswered = pages.question_sections(questionnaire)
    for section in sections:
        for item in section["items"]:
            if item["question"].kind == Question.Kind.NUMBER:
                item["options"] = []  # score thresholds are for staff; they could steer the respondent
    missing_ids = {q.pk for q in missing}
    return render(
        request,
        "assessments/respondent_form.html",
        {
            "link": link,
            "questionnaire": questionnaire,
            "collection": questionnaire.collection,
            "sections": sections,
            **pages.progress(sections),
            "missing": list(missing),
            "missing_ids": missing_ids,
            "can_enter": True,
        },
        status=status,
    )


def _open_link(request: HttpRequest, token: str):
    """(the link, None) when it may be used now; else (None, the page saying why: unknown, or 410)."""
    link = links.link_by_token(token)
    if link is None:
        return None, _unknown(request)
    refusal = links.link_refusal(link)
    if refusal:
        return None, _refused(request, refusal, 410, done=link.used_at is not None)
    return link, None


@respondent_headers
@ensure_csrf_cookie
@require_GET
def respondent_page(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = _open_link(request, token)
    if refused:
        return refused
    links.link_mark_opened(link)
    missing = selectors.questionnaire_missing_required(link.questionnaire) if request.GET.get("cek") else []
    return _respondent_page(request, link, missing=missing)


@respondent_headers
@require_POST
def respondent_save(request: HttpRequest, token: str) -> JsonResponse:
    """Autosave for the respondent: POST question, value, base_version -> {ok, version, saved_at, message}.

    404 unknown link, 403 used/expired/closed link, 400 bad value or a question not of this questionnaire,
    409 a newer value exists (the respondent's own earlier tab, or BNNK staff named by role only):
    autosave.responses, as for staff.
    """
    link = autosave_reads.link(token)
    if link is None:
        return responses.error(_("Tautan tidak ditemukan."), 404)
    return responses.save_response(request, link.questionnaire, link=link)


@respondent_headers
@require_POST
def respondent_complete(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = _open_link(request, token)
    if refused:
        return refused
    try:
        services.questionnaire_complete(questionnaire=link.questionnaire, link=link)
    except ServiceError as exc:
        if exc.code == "incomplete":
            missing = selectors.questionnaire_missing_required(link.questionnaire)
            return _respondent_page(request, link, status=400, missing=missing)
        return _refused(request, exc.message, exc.status)
    return render(request, "assessments/respondent_done.html", {"collection": link.questionnaire.collection})
