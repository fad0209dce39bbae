"""The engine's "what moves the score most" and per-group scores of one collection, computed once per
set of inputs: cached under the collection's stored input fingerprint (Score.input_hash), so the
report card page and the PDF render share one computation, and a page view after the Celery render
finds it ready instead of running the engine."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.core.cache import cache

from assessments import snapshots
from scoring import inputs
from scoring.engine_gains import gains_and_groups
from scoring.models import Score

CACHE_SECONDS = 30 * 24 * 3600  # the key changes with the inputs; old entries simply expire


@dataclass
class Gains:
    gains: pd.DataFrame  # indicator_id, gain (points of the overall), sorted by gain
    per_group: pd.DataFrame  # group_id, overall, respondents, one column per variable id
    variable_codes: dict[int, str]
    group_codes: dict[int, str]
    indicator_codes: dict[int, str]


def collection_gains(collection_id: int, period_id: int, instrument) -> Gains | None:
    """None when the collection has no counted answers."""
    fingerprint = (
        Score.objects.filter(collection_id=collection_id, instrument=instrument, basis=Score.Basis.CURRENT)
        .values_list("input_hash", flat=True)
        .first()
    )
    key = f"kotan:gains:{collection_id}:{fingerprint}" if fingerprint else None
    # A Redis outage answers as an empty cache (kotan.infra.cache): it only costs a computation.
    if key:
        hit = cache.get(key)
        if hit is not None:
            return hit
    answers = snapshots.live_answers(period_id, [collection_id])
    if answers.empty:
        return None
    data = inputs.instrument_data(instrument)
    gains, per_group = gains_and_groups(answers, data.frames)
    value = Gains(gains, per_group, data.variable_codes, data.group_codes, data.indicator_codes)
    if key:
        cache.set(key, value, CACHE_SECONDS)
    return value
