"""Reads of the survey: quota progress, what is missing, questions per group (few queries each)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from instruments.models import EvidenceType, Question, RespondentGroup

from .models import Answer, Collection, Questionnaire


def group_questions(group: RespondentGroup):
    """Questions asked of this group, in instrument order, with indicator, variable and options loaded."""
    return (
        Question.objects.filter(groups=group)
        .select_related("indicator__variable")
        .prefetch_related("options")
        .order_by("indicator__variable__order", "indicator__order", "order", "id")
    )


def questionnaire_missing_required(questionnaire: Questionnaire) -> list[Question]:
    answered = Answer.objects.filter(questionnaire=questionnaire).values("question_id")
    return list(
        Question.objects.filter(groups=questionnaire.group_id, required=True)
        .exclude(pk__in=answered)
        .order_by("indicator__variable__order", "indicator__order", "order", "id")
    )


def quota_progress(collection: Collection) -> list[dict]:
    """Per respondent group of the period's instrument: quota, complete, draft, excluded, met, percent."""
    groups = RespondentGroup.objects.filter(instrument_id=collection.period.instrument_id).annotate(
        complete=Count(
            "questionnaires",
            filter=Q(
                questionnaires__collection=collection, questionnaires__state=Questionnaire.State.COMPLETE
            ),
        ),
        draft=Count(
            "questionnaires",
            filter=Q(questionnaires__collection=collection, questionnaires__state=Questionnaire.State.DRAFT),
        ),
        excluded=Count(
            "questionnaires",
            filter=Q(
                questionnaires__collection=collection, questionnaires__state=Questionnaire.State.EXCLUDED
            ),
        ),
    )
    rows = []
    for g in groups.order_by("order", "id"):
        rows.append(
            {
                "group": g,
                "quota": g.min_quota,
                "complete": g.complete,
                "draft": g.draft,
                "excluded": g.excluded,
                "met": g.complete >= g.min_quota,
                "percent": min(100, round(100 * g.complete / g.min_quota)) if g.min_quota else 100,
            }
        )
    return rows


def missing_evidence_types(collection: Collection) -> list[EvidenceType]:
    return list(
        EvidenceType.objects.filter(instrument_id=collection.period.instrument_id, required=True)
        .exclude(documents__collection=collection)
        .order_by("order", "id")
    )


def collection_missing(collection: Collection) -> list[str]:
    """Human-readable list of what still blocks submitting: unmet quotas and required evidence."""
    missing = []
    for row in quota_progress(collection):
        if not row["met"]:
            missing.append(
                _("%(group)s: %(done)d dari %(quota)d kuesioner lengkap")
                % {"group": row["group"].name, "done": row["complete"], "quota": row["quota"]}
            )
    for et in missing_evidence_types(collection):
        missing.append(_("Bukti dukung wajib belum diunggah: %(name)s") % {"name": et.name})
    return missing
