"""Claiming a request row once however often it is asked: a conditional update, or a create that loses
cleanly to a concurrent one (the model is passed in; this module imports none)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Model, Q


def claim(model: type[Model], lookup: dict, fresh: dict, busy: Q) -> bool:
    """Set `fresh` on the `lookup` row unless it is `busy` (or create it with them). True when this call
    claimed it; False while another request holds it, so a double click (or two users at once) starts one
    piece of work. Needs a unique constraint over the lookup's fields."""
    if model._default_manager.filter(**lookup).exclude(busy).update(**fresh):
        return True
    try:
        with transaction.atomic():
            model._default_manager.create(**lookup, **fresh)
    except IntegrityError:  # the row exists and is busy, or a concurrent request created it just now
        return False
    return True
