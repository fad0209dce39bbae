import datetime

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def minutes(value) -> int:
    """Whole minutes of a lock-out's cool-off (axes passes a timedelta; the setting is the fallback)."""
    if isinstance(value, datetime.timedelta):
        return max(1, round(value.total_seconds() / 60))
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
