from django import template

from reports.score_display import score_card

register = template.Library()


@register.inclusion_tag("reports/_score_card.html")
def collection_score_card(collection):
    return {"card": score_card(collection), "collection": collection}
