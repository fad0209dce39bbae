"""The BNNK's survey pages: collection home, new questionnaire, fill page with autosave, complete, submit.

Views are thin: scope comes from kotan.access (a foreign kab/kota is a 404), every write goes through
assessments.services, and a refused write shows the service's Indonesian message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import two_factor
from accounts.models import Role, User
from accounts.sessions import adopt_session_user, session_user_id
from instruments.models import Question
from kotan import access
from kotan.lib.http import small_int
from kotan.lib.service_errors import ServiceError

from .. import pages, selectors, services, workflow
from ..autosave import reads as autosave_reads
from ..autosave import responses
from ..models import Collection, Period, Questionnaire
from ..periods import current_period
from ..review import selectors as review_selectors
from .forms import QuestionnaireFilterForm, QuestionnaireStartForm

PAGE_SIZE = 25


# --- collection pages ----------------------------------------------------------------------------


@login_required
def my_collection(request: HttpRequest) -> HttpResponse:
    """/survei/: a BNNK goes to its current collection; others to the list of collections."""
    user = request.user
    if user.role != Role.BNNK or not user.regency_id:
        return redirect("assessments:collection_list")
    period = current_period(Period.objects.filter(participants=user.regency_id))
    if period is None:
        return render(request, "assessments/collection_none.html", {"regency": user.regency}, status=200)
    return redirect("assessments:collection", year=period.year, regency_code=user.regency.code)


@login_required
def collection_list(request: HttpRequest) -> HttpResponse:
    """The visible kab/kota collections of one period with state and quota percent (constant queries)."""
    periods = list(Period.objects.select_related("instrument").order_by("-year"))
    year = small_int(request.GET.get("tahun"))
    period = next((p for p in periods if p.year == year), None) if year else None
    if period is None and periods:
        period = current_period(Period.objects.all())
        period = next(p for p in periods if p.pk == period.pk)
    rows = []
    if period is not None:
        visible = access.visible_regencies(request.user)
        collections = list(
            Collection.objects.filter(period=period, regency__in=visible)
            .select_related("regency__province")
            .order_by("regency__code")
        )
        groups = list(period.instrument.groups.order_by("order", "id"))
        counts: dict[tuple[int, int], int] = {}
        for row in (
            Questionnaire.objects.filter(collection__in=collections, state=Questionnaire.State.COMPLETE)
            .values("collection_id", "group_id")
            .annotate(n=Count("id"))
        ):
            counts[row["collection_id"], row["group_id"]] = row["n"]
        quota_total = sum(g.min_quota for g in groups)
        for c in collections:
            done = sum(min(counts.get((c.pk, g.pk), 0), g.min_quota) for g in groups)
            complete = sum(counts.get((c.pk, g.pk), 0) for g in groups)
            percent = round(100 * done / quota_total) if quota_total else 100
            rows.append({"collection": c, "complete": complete, "percent": percent})
    return render(
        request,
        "assessments/collection_list.html",
        {"periods": periods, "period": period, "rows": rows},
    )


@login_required
def collection_home(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    period = collection.period
    quota = selectors.quota_progress(collection)
    groups = [row["group"] for row in quota]
    enterers = [
        (pk, " ".join(p for p in (first, last) if p) or username)
        for pk, first, last, username in User.objects.filter(
            pk__in=collection.questionnaires.values("entered_by")
        ).values_list("pk", "first_name", "last_name", "username")
    ]
    filter_form = QuestionnaireFilterForm(request.GET or None, groups=groups, enterers=enterers)
    filters = filter_form.filters()

    questionnaires = (
        collection.questionnaires.select_related("group", "entered_by")
        .annotate(n_answers=Count("answers"))
        .order_by("-created_at", "-id")
    )
    if "kelompok" in filters:
        questionnaires = questionnaires.filter(group_id=filters["kelompok"])
    if "status" in filters:
        questionnaires = questionnaires.filter(state=filters["status"])
    who = filters.get("oleh")
    if who in (Questionnaire.Method.LINK, Questionnaire.Method.EXCEL):
        questionnaires = questionnaires.filter(method=who)
    elif who:
        questionnaires = questionnaires.filter(entered_by_id=int(who), method=Questionnaire.Method.STAFF)
    page = Paginator(questionnaires, PAGE_SIZE).get_page(request.GET.get("hal"))

    question_counts = dict(
        Question.groups.through.objects.filter(respondentgroup__in=groups)
        .values_list("respondentgroup_id")
        .annotate(n=Count("id"))
    )
    for qn in page.object_list:
        qn.n_questions = question_counts.get(qn.group_id, 0)

    read_only_reason = pages.read_only_reason(request.user, collection)
    can_enter = read_only_reason is None
    query = request.GET.copy()
    query.pop("hal", None)
    today = timezone.localdate()
    # A returned collection shows the BNNP's open comments; only what they name can change.
    returned = collection.state == Collection.State.RETURNED
    review_threads = review_selectors.comment_threads(collection, open_only=True) if returned else []
    general_return = any(c.target == "general" for c in review_threads)
    context = {
        "collection": collection,
        "period": period,
        "regency": collection.regency,
        "deadline": workflow.entry_deadline(collection),
        "days_left": (workflow.entry_deadline(collection) - today).days,
        "quota": quota,
        "missing": selectors.collection_missing(collection),
        "page": page,
        "filter_form": filter_form,
        "filtered": bool(filters),
        "query": query.urlencode(),
        "can_enter": can_enter,
        "is_bnnk": access.can_enter_data(request.user, collection.regency),
        "read_only_reason": read_only_reason,
        "review_threads": review_threads,
        "can_add": can_enter and (not returned or general_return),
        "can_reply": pages.can_reply(request.user, collection),
        "can_review": access.can_verify(request.user, collection.regency) or access.is_national(request.user),
        "is_national": access.is_national(request.user),
        "home_url": pages.collection_url(collection),
    }
    return render(request, "assessments/collection_home.html", context)


@login_required
@require_POST
def collection_submit(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    try:
        workflow.collection_submit(collection=collection, user=request.user)
    except ServiceError as exc:
        if exc.code == "already_submitted":
            collection.refresh_from_db(fields=["submitted_at"])
            when = (
                date_format(timezone.localtime(collection.submitted_at), "j F Y H:i")
                if collection.submitted_at
                else ""
            )
            messages.info(
                request,
                _("Koleksi ini sudah dikirim (%(when)s). Tidak ada yang berubah.") % {"when": when},
            )
        else:
            messages.error(request, exc.message)
    else:
        messages.success(request, _("Koleksi berhasil dikirim ke BNNP untuk diverifikasi."))
    return redirect(pages.collection_url(collection))


# --- questionnaires ------------------------------------------------------------------------------


@login_required
def questionnaire_new(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    reason = pages.read_only_reason(request.user, collection)
    if reason:
        messages.error(request, reason)
        return redirect(pages.collection_url(collection))
    instrument_id = collection.period.instrument_id
    if request.method == "POST":
        form = QuestionnaireStartForm(request.POST, instrument_id=instrument_id)
        if form.is_valid():
            try:
                qn = services.questionnaire_create(
                    collection=collection,
                    group=form.cleaned_data["group"],
                    user=request.user,
                    label=form.cleaned_data["label"],
                    village=form.cleaned_data["village"],
                    filled_on=form.cleaned_data["filled_on"],
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
                return redirect(pages.collection_url(collection))
            return redirect("assessments:questionnaire", pk=qn.pk)
    else:
        initial = {"filled_on": timezone.localdate()}
        group_id = small_int(request.GET.get("kelompok"))
        if group_id:
            initial["group"] = group_id
        form = QuestionnaireStartForm(initial=initial, instrument_id=instrument_id)
    return render(
        request,
        "assessments/questionnaire_new.html",
        {"collection": collection, "form": form, "collection_url": pages.collection_url(collection)},
    )


def _return_reach(
    questionnaire: Questionnaire, sections: list[dict], scope: dict | None
) -> tuple[bool, list]:
    """In a returned collection (`scope`: workflow.returned_scope): whether the open comments reach this
    questionnaire, and the comments to show on it. (True, []) when the collection is not returned.

    A comment reaches it when it names it, is general, or names an indicator of one of its questions (as
    workflow.questionnaire_in_return_scope decides, here without another query)."""
    if scope is None:
        return True, []
    items = [item for section in sections for item in section["items"]]
    shown = {item["question"].indicator_id for item in items}
    in_scope = (
        scope["general"]
        or questionnaire.pk in scope["questionnaires"]
        or any(item["returned"] for item in items)
    )
    threads = [
        c
        for c in review_selectors.comment_threads(questionnaire.collection, open_only=True)
        if c.target == "general" or c.questionnaire_id == questionnaire.pk or c.indicator_id in shown
    ]
    return in_scope, threads


def _fill_read_only_reason(
    user, questionnaire: Questionnaire, sections: list[dict], *, returned: bool, in_scope: bool
) -> str | None:
    """Why the fill page shows this questionnaire read-only, or None when its answers may change."""
    if questionnaire.state == Questionnaire.State.EXCLUDED:
        return _("Kuesioner ini dikecualikan: %(reason)s") % {"reason": questionnaire.excluded_reason}
    reason = pages.read_only_reason(user, questionnaire.collection)
    all_locked = all(item["locked"] for section in sections for item in section["items"])
    if reason is None and returned and not in_scope and all_locked:
        return _("Koleksi dikembalikan untuk perbaikan tertentu; kuesioner ini tidak termasuk yang diminta.")
    return reason


@login_required
def questionnaire_fill(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = pages.get_questionnaire(request.user, pk)
    collection = questionnaire.collection
    returned = collection.state == Collection.State.RETURNED
    scope = workflow.returned_scope(collection) if returned else None
    sections, unanswered = pages.question_sections(questionnaire, scope)
    in_scope, review_threads = _return_reach(questionnaire, sections, scope)
    read_only_reason = _fill_read_only_reason(
        request.user, questionnaire, sections, returned=returned, in_scope=in_scope
    )
    show_missing = request.GET.get("cek") == "1" and bool(unanswered)
    context = {
        "questionnaire": questionnaire,
        "collection": collection,
        "collection_url": pages.collection_url(collection),
        "sections": sections,
        **pages.progress(sections),
        "unanswered_required": unanswered,
        "show_missing": show_missing,
        "missing_ids": {q.pk for q in unanswered} if show_missing else set(),
        "read_only_reason": read_only_reason,
        "can_enter": read_only_reason is None,
        # In a returned collection a questionnaire the open comments reach may be completed again after
        # the correction.
        "can_complete": read_only_reason is None and in_scope,
        "review_threads": review_threads,
        "can_reply": pages.can_reply(request.user, collection),
        "fill_url": reverse("assessments:questionnaire", args=[questionnaire.pk]),
    }
    return render(request, "assessments/questionnaire_fill.html", context)


@two_factor.checks_code_itself  # after reading the user below, not in a query of the middleware's
@require_POST
def answer_save(request: HttpRequest, pk: int) -> JsonResponse:
    """Autosave one answer: POST question, value, base_version -> JSON {ok, version, saved_at, message}.

    400 bad value or question, 401 session ended (or its two-factor code not entered yet), 403 not
    allowed now (closed, submitted, excluded), 404 not visible, 409 someone saved a newer value (with that
    value and who wrote it): autosave.responses.
    """
    questionnaire, user = autosave_reads.questionnaire_and_user(pk, session_user_id(request))
    adopt_session_user(request, user)  # request.user from the row just read, not from a query of its own
    if not request.user.is_authenticated:
        return responses.error(
            _("Sesi Anda telah berakhir. Masuk kembali; jawaban di halaman ini tetap ada."), 401
        )
    if two_factor.code_missing(request):
        return two_factor.json_refusal()
    if questionnaire is None or not access.can_view_regency(request.user, questionnaire.collection.regency):
        return responses.error(_("Kuesioner tidak ditemukan."), 404)
    return responses.save_response(request, questionnaire, user=request.user)


@login_required
@require_POST
def questionnaire_complete(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = pages.get_questionnaire(request.user, pk)
    url = reverse("assessments:questionnaire", args=[questionnaire.pk])
    try:
        services.questionnaire_complete(questionnaire=questionnaire, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        if exc.code == "incomplete":
            return redirect(f"{url}?cek=1#belum-dijawab")
        return redirect(url)
    messages.success(request, _("Kuesioner ditandai lengkap."))
    return redirect(url)


@login_required
@require_POST
def questionnaire_next(request: HttpRequest, pk: int) -> HttpResponse:
    """'Isi kuesioner berikutnya': a new questionnaire with the same group, desa and date."""
    previous = pages.get_questionnaire(request.user, pk)
    try:
        qn = services.questionnaire_create(
            collection=previous.collection,
            group=previous.group,
            user=request.user,
            village=previous.village,
            filled_on=previous.filled_on,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("assessments:questionnaire", pk=previous.pk)
    messages.info(
        request,
        _("Kuesioner baru untuk %(group)s%(village)s.")
        % {"group": previous.group.name, "village": f" · {previous.village}" if previous.village else ""},
    )
    return redirect("assessments:questionnaire", pk=qn.pk)
