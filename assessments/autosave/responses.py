"""The JSON answers of an autosave (the contract of static/js/autosave.js), one for the staff view and the
respondent view alike.

save_response() reads the POST (question, value, base_version), saves through
writes.questionnaire_save_answer and answers 200 {ok, version, value, saved_at, message}, 400 for a bad
parameter, value or question, the refusal's status (403 closed, submitted, excluded, used link) with its
`code`, or 409 when a newer answer exists, that answer under "conflict" (conflict_answer). error() is the
shape of every refusal, the views' own 401 and 404 included.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from instruments.models import Question
from kotan.lib.http import small_int
from kotan.lib.service_errors import Conflict, ServiceError

from ..answers import format_value
from ..models import Answer, Questionnaire, RespondentLink
from . import writes
from .specs import QuestionSpec, question_spec

MAX_RAW_VALUE = 100  # characters of a typed answer; anything longer cannot be a valid answer


def error(message: str, status: int, **extra) -> JsonResponse:
    """A refused autosave: {ok: false, message, ...extra} with this status."""
    return JsonResponse({"ok": False, "message": message, **extra}, status=status)


def save_response(
    request: HttpRequest, questionnaire: Questionnaire, *, user=None, link: RespondentLink | None = None
) -> JsonResponse:
    """Save the POSTed answer into the questionnaire (by staff `user`, or through the respondent's `link`)
    and answer as autosave.js expects. The caller has checked who asks and that they may see it."""
    question_id = small_int(request.POST.get("question"), minimum=1)
    base_version = small_int(request.POST.get("base_version", "0"))
    raw = request.POST.get("value", "")
    if question_id is None:
        return error(_("Pertanyaan tidak dikenal."), 400)
    if base_version is None:
        return error(_("Versi jawaban tidak valid. Muat ulang halaman."), 400)
    if len(raw) > MAX_RAW_VALUE:
        return error(_("Jawaban terlalu panjang."), 400)
    question = question_spec(questionnaire.collection.period.instrument_id, question_id)
    if question is None:
        return error(_("Pertanyaan tidak dikenal atau bukan bagian dari instrumen periode ini."), 400)
    try:
        answer = writes.questionnaire_save_answer(
            questionnaire=questionnaire,
            question=question,
            raw_value=raw,
            base_version=base_version,
            user=user,
            link=link,
        )
    except Conflict as exc:
        message, by = (exc.message, exc.changed_by) if link is None else _told_to_respondent(exc)
        return error(message, 409, conflict=conflict_answer(exc, question, by=by))
    except ServiceError as exc:
        return error(exc.message, exc.status, code=exc.code)
    return _saved(answer)


def _told_to_respondent(exc: Conflict) -> tuple[str, str]:
    """The message and author of a conflict as a respondent sees them. The newer value is the respondent's
    own (another tab) or BNNK staff's, who may correct a questionnaire filled through a link. Staff are named
    by role only: the respondent pages show no staff member's name (tests/test_links.py), and the
    respondent needs none to check the value."""
    if exc.changed_by_staff:
        return (
            _("Jawaban ini sudah diubah oleh petugas BNNK. Periksa nilai terbaru sebelum menyimpan."),
            _("petugas BNNK"),
        )
    return _("Jawaban ini sudah diubah dari jendela lain. Periksa nilai terbaru sebelum menyimpan."), ""


def conflict_answer(exc: Conflict, question: QuestionSpec, *, by: str) -> dict:
    """The "conflict" part of an autosave 409: the newer value, its option's text ("3 – Setuju"), its
    version, who wrote it (as the caller may show it) and when."""
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


def _saved(answer: Answer | None) -> JsonResponse:
    """A save that went through (None: the answer was cleared)."""
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
