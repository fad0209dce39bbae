"""What the survey's view modules share: the collection or questionnaire of a URL
(404 outside the user's scope), why a collection is read-only, and the questions of a questionnaire as the
fill pages show them."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from instruments.models import Question
from kotan import access

from . import selectors, workflow
from .answers import format_value
from .models import Collection, Period, Questionnaire


def get_collection(user, year: int, regency_code: str) -> Collection:
    """The collection of a visible, participating kab/kota in a period; else 404."""
    regency = access.get_regency_or_404(user, regency_code)
    period = Period.objects.select_related("instrument").filter(year=year).first()
    if period is None or not period.participants.filter(pk=regency.pk).exists():
        raise Http404(_("Kabupaten/kota ini bukan peserta periode tersebut."))
    # A participant's collection is made when it joins the period (services.on_participants_changed);
    # a page never creates one.
    collection = Collection.objects.filter(period=period, regency=regency).first()
    if collection is None:
        raise Http404(_("Kabupaten/kota ini bukan peserta periode tersebut."))
    # Reuse the rows already loaded instead of querying them again.
    collection.period = period
    collection.regency = regency
    return collection


def get_questionnaire(user, pk: int) -> Questionnaire:
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


def collection_url(collection: Collection) -> str:
    """The collection's home page."""
    return reverse("assessments:collection", args=[collection.period.year, collection.regency.code])


def read_only_reason(user, collection: Collection) -> str | None:
    """Why this user cannot change the collection now, or None when they can enter data."""
    closed = workflow.entry_closed_reason(collection)
    if closed:
        return closed
    if not access.can_enter_data(user, collection.regency):
        return _("Anda hanya dapat melihat. Data diisi oleh petugas BNNK %(regency)s.") % {
            "regency": collection.regency.name
        }
    return None


def _saved_label(moment: datetime.datetime) -> str:
    """'tersimpan 14:05' today, 'tersimpan 18 Nov 14:05' on another day."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return _("tersimpan %(time)s") % {"time": local.strftime("%H:%M")}
    return _("tersimpan %(time)s") % {"time": date_format(local, "j M H:i")}


def question_sections(
    questionnaire: Questionnaire, scope: dict | None = None
) -> tuple[list[dict], list[Question]]:
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


def progress(sections: list[dict]) -> dict:
    """{total, answered}: the questions of question_sections() and how many of them hold an answer."""
    items = [item for section in sections for item in section["items"]]
    return {"total": len(items), "answered": sum(1 for item in items if item["value"] != "")}


def can_reply(user, collection: Collection) -> bool:
    """May this user reply to the BNNP's review comments of the collection (its BNNK, or its BNNP)?"""
    return access.can_enter_data(user, collection.regency) or access.can_verify(user, collection.regency)
