"""Inclusion tags for the panels of the collection home: respondent links and evidence.

Each tag loads what its panel needs with a constant number of queries, so the collection home does not
grow with the number of links or documents. Context expected: collection, can_enter, request (and
optionally quota rows, whose groups are reused instead of queried again).
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from instruments.models import Question, RespondentGroup
from kotan import access

from .. import workflow
from ..evidence import services as evidence_service
from ..links import services as links
from ..models import Collection

register = template.Library()

PANEL_LINKS = 8  # newest links shown in the panel; the rest are on the links page


def _groups(context, collection) -> list:
    quota = context.get("quota")
    if quota:
        return [row["group"] for row in quota]
    return list(
        RespondentGroup.objects.filter(instrument_id=collection.period.instrument_id).order_by("order", "id")
    )


@register.inclusion_tag("assessments/link_panel.html", takes_context=True)
def links_panel(context):
    collection = context["collection"]
    request = context.get("request")
    user = request.user if request else None
    is_bnnk = bool(user and access.can_enter_data(user, collection.regency))
    now = timezone.now()
    recent = list(links.collection_links(collection)[:PANEL_LINKS])
    for link in recent:
        link.state = links.link_state(link, now)
        link.state_label = links.STATE_LABELS[link.state]
    summary = links.collection_link_summary(collection, now)
    return {
        "collection": collection,
        "can_enter": context.get("can_enter", False) and is_bnnk,
        "is_bnnk": is_bnnk,
        "links": recent,
        "summary": summary,
        "more": summary["total"] > len(recent),
        "groups": _groups(context, collection) if is_bnnk else [],
        "request": request,
    }


@register.inclusion_tag("assessments/evidence_panel.html", takes_context=True)
def evidence_panel(context):
    collection = context["collection"]
    request = context.get("request")
    user = request.user if request else None
    is_bnnk = bool(user and access.can_enter_data(user, collection.regency))
    can_enter = bool(context.get("can_enter", False) and is_bnnk)
    if can_enter and collection.state == Collection.State.RETURNED:
        # Returned for specific corrections: the documents stay locked unless a comment asked for one.
        scope = workflow.returned_scope(collection)
        can_enter = bool(scope["general"] or scope["evidence_types"] or scope["evidence"])
    checklist = evidence_service.collection_checklist(collection)
    questions = []
    if can_enter:
        questions = list(
            Question.objects.filter(instrument_id=collection.period.instrument_id)
            .order_by("indicator__variable__order", "indicator__order", "order", "id")
            .values_list("pk", "code", "text")
        )
    return {
        "collection": collection,
        "can_enter": can_enter,
        "checklist": checklist,
        "questions": questions,
        "max_size": evidence_service.max_size_label(),
        "accept": evidence_service.ACCEPT_ATTR,
        "request": request,
    }
