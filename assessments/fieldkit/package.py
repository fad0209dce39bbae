"""The field-kit package of one collection: the data an offline client needs, as a JSON-ready dict.

Read-only. The questions come from selectors.group_questions, the quota from selectors.quota_progress and
the entry window from workflow, so the offline client receives the same rules the online fill applies.
Queries: a fixed number per respondent group, none per question, questionnaire or answer.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from instruments.models import Question

from .. import selectors, workflow
from ..evidence.services import max_bytes
from ..models import Collection, Questionnaire

FORMAT_VERSION = 1  # bump when a field of the package changes meaning or disappears


def _question(q: Question) -> dict:
    options = [{"value": o.value, "label": o.label} for o in q.options.all()]
    item = {
        "id": q.pk,
        "code": q.code,
        "text": q.text,
        "help": q.help_text,
        "kind": q.kind,
        "required": q.required,
        "options": options,
    }
    if q.kind == Question.Kind.NUMBER:
        # Each option of a number question is the lower threshold of a band (instruments.models.Option).
        item["thresholds"] = sorted(o["value"] for o in options)
    return item


def _groups(collection: Collection) -> list[dict]:
    """The instrument's respondent groups with their quota progress and the questions each is asked."""
    return [
        {
            "id": row["group"].pk,
            "code": row["group"].code,
            "name": row["group"].name,
            "quota": row["quota"],
            "complete": row["complete"],
            "questions": [_question(q) for q in selectors.group_questions(row["group"])],
        }
        for row in selectors.quota_progress(collection)
    ]


def _drafts(collection: Collection, user) -> list[dict]:
    """The user's draft questionnaires of the collection, each answer with the version a sync sends back."""
    drafts = (
        Questionnaire.objects.filter(collection=collection, entered_by=user, state=Questionnaire.State.DRAFT)
        .select_related("group")
        .prefetch_related("answers__question")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": q.pk,
            "uuid": str(q.client_uuid) if q.client_uuid else None,
            "group": q.group.code,
            "label": q.label,
            "village": q.village,
            "filled_on": q.filled_on.isoformat(),
            "answers": [
                {"question": a.question_id, "code": a.question.code, "value": a.value, "version": a.version}
                for a in q.answers.all()
            ],
        }
        for q in drafts
    ]


def endpoints(collection: Collection) -> dict:
    """The field kit's addresses of one collection: its package, sync, photo upload and queue export."""
    args = [collection.period.year, collection.regency.code]
    return {
        "package_url": reverse("assessments:fieldkit_package", args=args),
        "sync_url": reverse("assessments:fieldkit_sync", args=args),
        "photo_url": reverse("assessments:fieldkit_photo", args=args),
        "export_url": reverse("assessments:fieldkit_export", args=args),
    }


def build(collection: Collection, user) -> dict:
    """The package of `collection` for `user` (its kab/kota's BNNK: the view checks that)."""
    closed = workflow.entry_closed_reason(collection)
    return {
        "version": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "user": {"id": user.pk},
        **{k: v for k, v in endpoints(collection).items() if k != "package_url"},
        "evidence_max_bytes": max_bytes(),
        "valid_until": workflow.entry_deadline(collection).isoformat(),
        "entry_open": closed is None,
        "entry_closed_reason": closed or "",
        "period": {"year": collection.period.year, "name": collection.period.name},
        "regency": {"code": collection.regency.code, "name": collection.regency.name},
        "collection": {"state": collection.state},
        "groups": _groups(collection),
        "drafts": _drafts(collection, user),
    }
