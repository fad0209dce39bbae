"""The BNNK's survey pages: collection home, new questionnaire, fill page with autosave, complete, submit.

Views are thin: scope comes from kotan.access (a foreign kab/kota is a 404), every write goes through
assessments.services, and a refused write shows the service's Indonesian message.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import two_factor
from accounts.backends import read_ahead
from accounts.models import Role, User
from kotan import access

from .. import autosave_reads, selectors, services, workflow
from .. import review as review_selectors
from ..errors import Conflict, ServiceError
from ..forms import QuestionnaireFilterForm, QuestionnaireStartForm
from ..models import Collection, Period, Question, Questionnaire
from ..question_specs import question_spec

PAGE_SIZE = 25
MAX_DB_INT = 2**31 - 1  # ids and versions beyond this are garbage, not a lookup
MAX_RAW_VALUE = 100  # characters of a typed answer; anything longer cannot be a valid answer


# --- helpers -------------------------------------------------------------------------------------


def current_period(periods) -> Period | None:
    """The latest period whose collection window contains today, else the latest one."""
    today = timezone.localdate()
    open_now = periods.filter(collection_opens__lte=today, collection_deadline__gte=today)
    return open_now.order_by("-year").first() or periods.order_by("-year").first()


def _small_int(raw, *, minimum: int = 0) -> int | None:
    """A request parameter as a non-negative database-sized integer, or None for garbage."""
    if raw is None or len(str(raw)) > 12:
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if minimum <= value <= MAX_DB_INT else None


def format_value(value: float | None) -> str:
    """An answer value as shown in inputs and messages: 4 not 4.0, 1000000 not 1e+06."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def conflict_answer(exc: Conflict, question, *, by: str) -> dict:
    """The "conflict" part of an autosave 409 (static/js/autosave.js): the newer value, its option's text
    ("3 – Setuju"), its version, who wrote it (as the caller may show it) and when."""
    value = exc.current_value
    shown = format_value(value)
    labels = question.option_labels
    if value is not None and question.kind != Question.Kind.NUMBER and value in labels:
        shown = f"{shown} – {labels[value]}"
    return {
        "value": format_value(value),
        "label": shown or _("(kosong)"),
        "version": exc.current_version,
        "by": by,
        "at": date_format(timezone.localtime(exc.changed_at), "j M H:i") if exc.changed_at else "",
    }


def _get_collection(user, year: int, regency_code: str) -> Collection:
    """The collection of a visible, participating kab/kota in a period; else 404."""
    regency = access.get_regency_or_404(user, regency_code)
    period = Period.objects.select_related("instrument").filter(year=year).first()
    if period is None or not period.participants.filter(pk=regency.pk).exists():
        raise Http404(_("Kabupaten/kota ini bukan peserta periode tersebut."))
    collection = Collection.objects.filter(period=period, regency=regency).first()
    if collection is None:
        services.period_ensure_collections(period=period)
        collection = Collection.objects.get(period=period, regency=regency)
    # Reuse the rows already loaded instead of querying them again.
    collection.period = period
    collection.regency = regency
    return collection


def _get_questionnaire(user, pk: int) -> Questionnaire:
    """A questionnaire of a kab/kota the user may see (one query); else 404."""
    questionnaire = (
        Questionnaire.objects.select_related(
            "collection__period", "collection__regency__province", "group", "entered_by"
        )
        .filter(access.regency_filter(user, "collection__regency"), pk=pk)
        .order_by()
        .first()
    )
    if questionnaire is None:
        raise Http404(_("Kuesioner tidak ditemukan."))
    return questionnaire


def _collection_url(collection: Collection) -> str:
    return reverse("assessments:collection", args=[collection.period.year, collection.regency.code])


def _user_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _read_only_reason(user, collection: Collection) -> str | None:
    """Why this user cannot change the collection now, or None when they can enter data."""
    closed = workflow.entry_closed_reason(collection)
    if closed:
        return closed
    if not access.can_enter_data(user, collection.regency):
        return _("Anda hanya dapat melihat. Data diisi oleh petugas BNNK %(regency)s.") % {
            "regency": collection.regency.name
        }
    return None


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
    year = _small_int(request.GET.get("tahun"))
    period = next((p for p in periods if p.year == year), None) if year else None
    if period is None and periods:
        period = current_period(Period.objects.all())
        period = next(p for p in periods if p.pk == period.pk)
    rows = []
    if period is not None:
        visible = access.visible_regencies(request.user)
        if period.participants.filter(pk__in=visible).exclude(collections__period=period).exists():
            services.period_ensure_collections(period=period)
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
    collection = _get_collection(request.user, year, regency_code)
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

    read_only_reason = _read_only_reason(request.user, collection)
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
        "can_reply": access.can_enter_data(request.user, collection.regency)
        or access.can_verify(request.user, collection.regency),
        "can_review": access.can_verify(request.user, collection.regency) or access.is_national(request.user),
        "is_national": access.is_national(request.user),
        "home_url": _collection_url(collection),
    }
    return render(request, "assessments/collection_home.html", context)


@login_required
@require_POST
def collection_submit(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = _get_collection(request.user, year, regency_code)
    try:
        services.collection_submit(collection=collection, user=request.user)
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
    return redirect(_collection_url(collection))


# --- questionnaires ------------------------------------------------------------------------------


@login_required
def questionnaire_new(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    collection = _get_collection(request.user, year, regency_code)
    reason = _read_only_reason(request.user, collection)
    if reason:
        messages.error(request, reason)
        return redirect(_collection_url(collection))
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
                return redirect(_collection_url(collection))
            return redirect("assessments:questionnaire", pk=qn.pk)
    else:
        initial = {"filled_on": timezone.localdate()}
        group_id = _small_int(request.GET.get("kelompok"))
        if group_id:
            initial["group"] = group_id
        form = QuestionnaireStartForm(initial=initial, instrument_id=instrument_id)
    return render(
        request,
        "assessments/questionnaire_new.html",
        {"collection": collection, "form": form, "collection_url": _collection_url(collection)},
    )


def _saved_label(moment: datetime.datetime) -> str:
    """'tersimpan 14:05' today, 'tersimpan 18 Nov 14:05' on another day."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return _("tersimpan %(time)s") % {"time": local.strftime("%H:%M")}
    return _("tersimpan %(time)s") % {"time": date_format(local, "j M H:i")}


def _sections(questionnaire: Questionnaire, scope: dict | None = None) -> tuple[list[dict], list[Question]]:
    """Questions of the group by variable, each with its options and current answer (3 queries).

    `scope` (workflow.returned_scope of a returned collection) marks the questions outside what the BNNP
    returned as locked."""
    answers = {a.question_id: a for a in questionnaire.answers.all()}
    open_all = scope is None or scope["general"] or questionnaire.pk in scope["questionnaires"]
    sections: list[dict] = []
    unanswered_required = []
    for number, q in enumerate(selectors.group_questions(questionnaire.group), start=1):
        variable = q.indicator.variable
        if not sections or sections[-1]["variable"].pk != variable.pk:
            sections.append({"variable": variable, "items": []})
        answer = answers.get(q.pk)
        if answer is None and q.required:
            unanswered_required.append(q)
        sections[-1]["items"].append(
            {
                "number": number,
                "question": q,
                "options": [(format_value(o.value), o.label) for o in q.options.all()],
                "value": format_value(answer.value) if answer else "",
                "version": answer.version if answer else 0,
                "saved_at": _saved_label(answer.updated_at) if answer else "",
                "locked": not open_all and q.indicator_id not in scope["indicators"],
                "returned": scope is not None and not open_all and q.indicator_id in scope["indicators"],
            }
        )
    return sections, unanswered_required


@login_required
def questionnaire_fill(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get_questionnaire(request.user, pk)
    collection = questionnaire.collection
    if questionnaire.state == Questionnaire.State.EXCLUDED:
        read_only_reason = _("Kuesioner ini dikecualikan: %(reason)s") % {
            "reason": questionnaire.excluded_reason
        }
    else:
        read_only_reason = _read_only_reason(request.user, collection)
    scope, review_threads, in_scope = None, [], True
    if collection.state == Collection.State.RETURNED:
        scope = workflow.returned_scope(collection)
        in_scope = scope["general"] or questionnaire.pk in scope["questionnaires"]
    sections, unanswered = _sections(questionnaire, scope)
    if scope is not None:
        shown = {item["question"].indicator_id for s in sections for item in s["items"]}
        # An indicator comment that reaches one of this group's questions puts the questionnaire in scope
        # (as workflow.questionnaire_in_return_scope decides, here without another query).
        in_scope = in_scope or any(item["returned"] for s in sections for item in s["items"])
        review_threads = [
            c
            for c in review_selectors.comment_threads(collection, open_only=True)
            if c.target == "general" or c.questionnaire_id == questionnaire.pk or c.indicator_id in shown
        ]
        if (
            read_only_reason is None
            and not in_scope
            and not any(not item["locked"] for s in sections for item in s["items"])
        ):
            read_only_reason = _(
                "Koleksi dikembalikan untuk perbaikan tertentu; kuesioner ini tidak termasuk yang diminta."
            )
    total = sum(len(s["items"]) for s in sections)
    answered = sum(1 for s in sections for i in s["items"] if i["value"] != "")
    show_missing = request.GET.get("cek") == "1" and bool(unanswered)
    context = {
        "questionnaire": questionnaire,
        "collection": collection,
        "collection_url": _collection_url(collection),
        "sections": sections,
        "total": total,
        "answered": answered,
        "unanswered_required": unanswered,
        "show_missing": show_missing,
        "missing_ids": {q.pk for q in unanswered} if show_missing else set(),
        "read_only_reason": read_only_reason,
        "can_enter": read_only_reason is None,
        # In a returned collection a questionnaire the open comments reach (itself, a general comment, or
        # an indicator with one of its questions) may be completed again after the correction.
        "can_complete": read_only_reason is None and in_scope,
        "review_threads": review_threads,
        "can_reply": access.can_enter_data(request.user, collection.regency)
        or access.can_verify(request.user, collection.regency),
        "fill_url": reverse("assessments:questionnaire", args=[questionnaire.pk]),
    }
    return render(request, "assessments/questionnaire_fill.html", context)


def _json_error(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message, **extra}, status=status)


@two_factor.checks_code_itself  # after reading the user below, not in a query of the middleware's
@require_POST
def answer_save(request: HttpRequest, pk: int) -> JsonResponse:
    """Autosave one answer: POST question, value, base_version -> JSON {ok, version, saved_at, message}.

    400 bad value or question, 401 session ended (or its two-factor code not entered yet), 403 not
    allowed now (closed, submitted, excluded), 404 not visible, 409 someone saved a newer value (with that
    value and who wrote it).
    """
    questionnaire, users = autosave_reads.questionnaire_and_user(pk, request.session.get(SESSION_KEY))
    with read_ahead(users):  # request.user from the row just read, not from a query of its own
        authenticated = request.user.is_authenticated
    if not authenticated:
        return _json_error(
            _("Sesi Anda telah berakhir. Masuk kembali; jawaban di halaman ini tetap ada."), 401
        )
    if two_factor.code_missing(request):
        return two_factor.json_refusal()
    if questionnaire is None or not access.can_view_regency(request.user, questionnaire.collection.regency):
        return _json_error(_("Kuesioner tidak ditemukan."), 404)
    question_id = _small_int(request.POST.get("question"), minimum=1)
    base_version = _small_int(request.POST.get("base_version", "0"))
    raw = request.POST.get("value", "")
    if question_id is None:
        return _json_error(_("Pertanyaan tidak dikenal."), 400)
    if base_version is None:
        return _json_error(_("Versi jawaban tidak valid. Muat ulang halaman."), 400)
    if len(raw) > MAX_RAW_VALUE:
        return _json_error(_("Jawaban terlalu panjang."), 400)
    question = question_spec(questionnaire.collection.period.instrument_id, question_id)
    if question is None:
        return _json_error(_("Pertanyaan tidak dikenal atau bukan bagian dari instrumen periode ini."), 400)
    try:
        answer = services.questionnaire_save_answer(
            questionnaire=questionnaire,
            question=question,
            raw_value=raw,
            base_version=base_version,
            user=request.user,
        )
    except Conflict as exc:
        return _json_error(exc.message, 409, conflict=conflict_answer(exc, question, by=exc.changed_by))
    except ServiceError as exc:
        return _json_error(exc.message, exc.status, code=exc.code)
    saved_at = timezone.localtime(answer.updated_at if answer else timezone.now())
    return JsonResponse(
        {
            "ok": True,
            "version": answer.version if answer else 0,
            "value": format_value(answer.value) if answer else "",
            "saved_at": saved_at.strftime("%H:%M"),
            "message": _("tersimpan %(time)s") % {"time": saved_at.strftime("%H:%M")},
        }
    )


@login_required
@require_POST
def questionnaire_complete(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get_questionnaire(request.user, pk)
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
    previous = _get_questionnaire(request.user, pk)
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
