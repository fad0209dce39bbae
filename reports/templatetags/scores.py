"""Template tags showing a collection's stored score card and why its score moved since it was sent."""

from django import template

from reports.score_changes import changes_for_collection_id
from reports.score_display import score_card

register = template.Library()


@register.inclusion_tag("reports/_score_card.html")
def collection_score_card(collection):
    return {"card": score_card(collection), "collection": collection}


@register.inclusion_tag("reports/_score_changes.html")
def score_changes_of(collection_id):
    """The submitted-vs-current difference of a page that holds only the collection's id, with its reasons."""
    return {"changes": changes_for_collection_id(collection_id) if collection_id else None}
