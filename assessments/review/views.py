"""The BNNP's review of one collection, BNN pusat's finalise/reopen/extend, comment replies, and the
progress page of many kab/kota.

Every action is a POST to a thin view that calls one assessments.workflow function and shows its Indonesian
message when refused; a repeated POST (double click) changes nothing and says so.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotan import access
from kotan.lib.http import small_int
from kotan.lib.service_errors import ServiceError

from .. import pages, selectors, workflow
from ..models import Collection, Period, Questionnaire, ReviewComment, ReviewEvent
from ..periods import current_period
from . import selectors as review_selectors

MAX_REASON = 2000


def _review_url(collection: Collection) -> str:
    return reverse("assessments:review", args=[collection.period.year, collection.regency.code])


def _may_review(user, collection: Collection) -> bool:
    return access.can_verify(user, collection.regency) or access.is_national(user)


def _back(request: HttpRequest, collection: Collection, anchor: str = "", query: str = "") -> HttpResponse:
    """Back to the review page (with `query`, the list's filters and page), or to the collection home for
    a user who cannot see the review page."""
    if _may_review(request.user, collection):
        return redirect(_review_url(collection) + (f"?{query}" if query else "") + anchor)
    return redirect(pages.collection_url(collection))


# --- the review page ---------------------------------------------------------------------------------


@login_required
def review(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    if not _may_review(request.user, collection):
        # The BNNK of the kab/kota sees the comments on its collection home, not the review page.
        return render(
            request,
            "assessments/review_forbidden.html",
            {"collection": collection, "collection_url": pages.collection_url(collection)},
            status=403,
        )
    all_rows = review_selectors.review_questionnaires(collection)
    listing = review_selectors.review_listing(
        all_rows, review_selectors.ReviewFilters.from_query(request.GET)
    )
    evidence = list(
        collection.evidence.select_related("evidence_type", "uploaded_by")
        .prefetch_related("questions")
        .order_by("evidence_type__order", "-uploaded_at")
    )
    can_verify = access.can_verify(request.user, collection.regency)
    is_national = access.is_national(request.user)
    context = {
        "collection": collection,
        "period": collection.period,
        "regency": collection.regency,
        "quota": selectors.quota_progress(collection),
        "missing_evidence": selectors.missing_evidence_types(collection),
        "evidence": evidence,
        **listing,
        "n_all": len(all_rows),
        "n_flagged": sum(1 for r in all_rows if r.flags),
        "targets": review_selectors.return_targets(collection, all_rows),
        "threads": review_selectors.comment_threads(collection),
        "changes": review_selectors.changes_since_last_return(collection),
        "events": list(
            ReviewEvent.objects.filter(collection=collection)
            .select_related("actor", "questionnaire")
            .order_by("-at", "-id")[:30]
        ),
        "can_verify": can_verify,
        "is_national": is_national,
        "can_act": can_verify and collection.state == Collection.State.SUBMITTED,
        "collection_url": pages.collection_url(collection),
        "comment_rows": range(3),
        "review_url": _review_url(collection),
    }
    return render(request, "assessments/review.html", context)


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    messages.error(request, exc.message)


def _reason(request: HttpRequest, name: str = "alasan") -> str:
    return request.POST.get(name, "").strip()[:MAX_REASON]


def _list_query(request: HttpRequest) -> str:
    """The review list's filters and page from the action's URL, re-encoded (only known keys and values)."""
    return review_selectors.ReviewFilters.from_query(request.GET).query()


def _questionnaire_of(collection: Collection, pk: int) -> Questionnaire:
    questionnaire = collection.questionnaires.filter(pk=pk).first()
    if questionnaire is None:
        raise Http404(_("Kuesioner tidak ditemukan."))
    questionnaire.collection = collection
    return questionnaire


@login_required
@require_POST
def review_exclude(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    questionnaire = _questionnaire_of(collection, pk)
    if questionnaire.state == Questionnaire.State.EXCLUDED and access.can_verify(
        request.user, collection.regency
    ):
        messages.info(request, _("Kuesioner #%(id)s sudah dikecualikan.") % {"id": pk})
        return _back(request, collection, "#kuesioner", _list_query(request))
    try:
        workflow.questionnaire_exclude(
            questionnaire=questionnaire, user=request.user, reason=_reason(request)
        )
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Kuesioner #%(id)s dikecualikan dari penilaian.") % {"id": pk})
    return _back(request, collection, "#kuesioner", _list_query(request))


@login_required
@require_POST
def review_include(request: HttpRequest, year: int, regency_code: str, pk: int) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    questionnaire = _questionnaire_of(collection, pk)
    was_excluded = questionnaire.state == Questionnaire.State.EXCLUDED
    try:
        workflow.questionnaire_include(questionnaire=questionnaire, user=request.user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        if was_excluded:
            messages.success(request, _("Kuesioner #%(id)s kembali dihitung.") % {"id": pk})
        else:
            messages.info(
                request, _("Kuesioner #%(id)s tidak dikecualikan; tidak ada yang berubah.") % {"id": pk}
            )
    return _back(request, collection, "#kuesioner", _list_query(request))


def _state_message(collection: Collection, target_state: str, done: str):
    """After a refused transition: if the collection already is where the user wanted it (a double click),
    say so instead of showing an error."""
    collection.refresh_from_db(fields=["state", "review_round"])
    return done if collection.state == target_state else None


@login_required
@require_POST
def review_return(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    try:
        comments = review_selectors.parse_return_comments(
            collection, request.POST.getlist("target"), request.POST.getlist("text")
        )
        workflow.collection_return(
            collection=collection, user=request.user, comments=comments, note=_reason(request, "catatan")
        )
    except ServiceError as exc:
        already = exc.code == "state" and _state_message(
            collection,
            Collection.State.RETURNED,
            _("Koleksi ini sudah dikembalikan ke BNNK. Tidak ada yang berubah."),
        )
        if already:
            messages.info(request, already)
        else:
            _refused(request, exc)
        return _back(request, collection, "#kembalikan")
    messages.success(
        request,
        _("Koleksi dikembalikan ke BNNK dengan %(n)d komentar. Hanya yang dikomentari dapat diubah.")
        % {"n": len(comments)},
    )
    return _back(request, collection)


@login_required
@require_POST
def review_verify(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    try:
        workflow.collection_verify(collection=collection, user=request.user, note=_reason(request, "catatan"))
    except ServiceError as exc:
        already = exc.code == "state" and _state_message(
            collection,
            Collection.State.VERIFIED,
            _("Koleksi ini sudah terverifikasi. Tidak ada yang berubah."),
        )
        if already:
            messages.info(request, already)
        else:
            _refused(request, exc)
    else:
        messages.success(request, _("Koleksi terverifikasi."))
    return _back(request, collection)


@login_required
@require_POST
def review_finalize(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    try:
        workflow.collection_finalize(
            collection=collection, user=request.user, note=_reason(request, "catatan")
        )
    except ServiceError as exc:
        already = exc.code == "state" and _state_message(
            collection, Collection.State.FINAL, _("Koleksi ini sudah final. Tidak ada yang berubah.")
        )
        if already:
            messages.info(request, already)
        else:
            _refused(request, exc)
    else:
        messages.success(request, _("Koleksi difinalkan."))
    return _back(request, collection)


@login_required
@require_POST
def review_reopen(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    try:
        workflow.collection_reopen(collection=collection, user=request.user, reason=_reason(request))
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Koleksi dibuka kembali untuk diverifikasi ulang oleh BNNP."))
    return _back(request, collection)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def deadline_extend(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    back = _safe_next(request, pages.collection_url(collection))
    raw = request.POST.get("sampai", "").strip()
    try:
        until = datetime.date.fromisoformat(raw) if len(raw) <= 10 else None
    except ValueError:
        until = None
    if until is None:
        messages.error(request, _("Tanggal perpanjangan tidak valid. Gunakan format TTTT-BB-HH."))
        return redirect(back)
    try:
        workflow.deadline_extend(
            collection=collection, user=request.user, until=until, reason=_reason(request)
        )
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Batas pengumpulan %(regency)s diperpanjang sampai %(date)s.")
            % {"regency": collection.regency.name, "date": until.strftime("%d-%m-%Y")},
        )
    return redirect(back)


@login_required
@require_POST
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    comment = (
        ReviewComment.objects.select_related("collection__period", "collection__regency", "parent")
        .filter(pk=pk, collection__regency__in=access.visible_regencies(request.user))
        .first()
    )
    if comment is None:
        raise Http404(_("Komentar tidak ditemukan."))
    collection = comment.collection
    default = (
        _review_url(collection) if _may_review(request.user, collection) else pages.collection_url(collection)
    )
    back = _safe_next(request, default)
    text = request.POST.get("text", "").strip()[:4000]
    root = comment.parent or comment
    if text and ReviewComment.objects.filter(parent=root, author=request.user, text=text).exists():
        messages.info(request, _("Balasan ini sudah terkirim."))
        return redirect(back)
    try:
        workflow.comment_reply(comment=comment, user=request.user, text=text)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Balasan terkirim."))
    return redirect(back)


# --- progress of many kab/kota -------------------------------------------------------------------------


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """BNNP: every kab/kota of its province. BNN pusat: per province, and one province with ?provinsi=."""
    user = request.user
    if not (access.is_national(user) or user.role == "bnnp"):
        return redirect("assessments:collection_list")
    periods = list(Period.objects.select_related("instrument").order_by("-year"))
    period = _progress_period(request, periods)
    province = _progress_province(request, user)
    rows, summary = [], []
    if period is not None:
        regencies = period.participants.all()
        if province is not None:
            regencies = regencies.filter(province=province)
        rows = review_selectors.progress_rows(period, regencies)
        if province is None:
            summary = review_selectors.province_summary(rows)
    context = {
        "periods": periods,
        "period": period,
        "province": province,
        "rows": rows,
        "summary": summary,
        "is_national": access.is_national(user),
        "totals": {
            "total": len(rows),
            "met": sum(1 for r in rows if r.quotas_met),
            "states": {s: sum(1 for r in rows if r.collection.state == s) for s in review_selectors.STATES},
        },
        "state_choices": Collection.State.choices,
        "today": timezone.localdate(),
        "provinces_url": reverse("assessments:progress"),
    }
    return render(request, "assessments/progress.html", context)


def _progress_period(request: HttpRequest, periods: list[Period]) -> Period | None:
    """?tahun=YYYY among `periods`, else the current period (assessments.periods.current_period)."""
    year = small_int(request.GET.get("tahun"))
    period = next((p for p in periods if p.year == year), None) if year else None
    if period is None and periods:
        current = current_period(Period.objects.all())
        period = next(p for p in periods if p.pk == current.pk)
    return period


def _progress_province(request: HttpRequest, user):
    """A BNNP's own province; for BNN pusat the ?provinsi= one, or None for the per-province summary."""
    if not access.is_national(user):
        return user.province
    code = request.GET.get("provinsi", "")
    if not code:
        return None
    if len(code) > 10:
        raise Http404(_("Provinsi tidak ditemukan."))
    return access.get_province_or_404(user, code)
