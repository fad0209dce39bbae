"""A period's rank intervals in the database: the ranked set (scoring.ranked's rule) with its stored bootstrap
replicates, ranked by the pure scoring.intervals.rank_intervals and upserted as the period's RankIntervals.

Idempotent and cheap when nothing changed: the ranked set's fingerprint (collection ids with their current
score's input_hash) is read first, in one query without any replicate, and an equal stored fingerprint
writes nothing. Called by the rank task (scoring.rank_tasks) and the beat sweep (scoring.tasks).
"""

from __future__ import annotations

import pandas as pd
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from assessments.models import Collection, Period
from scoring import intervals
from scoring.models import RankIntervals, Score
from scoring.ranked import RANKED_STATES, ranked_mask

_COLUMNS = ["collection_id", "province_id", "state", "quota_met", "current", "input_hash"]


def ranked_set(period: Period) -> pd.DataFrame:
    """The period's ranked collections: collection_id, province_id, state, quota_met, current (0-100),
    input_hash of the current score. One query."""
    rows = (
        Collection.objects.filter(period_id=period.pk)
        .annotate(
            cur=FilteredRelation(
                "scores",
                condition=Q(scores__basis=Score.Basis.CURRENT, scores__instrument_id=period.instrument_id),
            )
        )
        .order_by("pk")
        .values_list(
            "pk", "regency__province_id", "state", "cur__quota_met", "cur__overall", "cur__input_hash"
        )
    )
    frame = pd.DataFrame(list(rows), columns=_COLUMNS).astype({"current": "float64"})
    return frame[ranked_mask(frame)].reset_index(drop=True)


def store_rank_intervals(period: Period) -> dict:
    """Compute and upsert the period's rank intervals unless the stored ones are of this ranked set.
    Waits (stores nothing) while a ranked score has no replicates yet: the score sweep adds them, and the
    score task asks for the rank intervals again once it has."""
    ranked = ranked_set(period)
    wanted = intervals.ranked_frame_fingerprint(ranked)
    stored = RankIntervals.objects.filter(period_id=period.pk).values_list("fingerprint", flat=True).first()
    if stored == wanted:
        return {"unchanged": len(ranked)}
    ids = ranked["collection_id"].tolist()
    blobs = dict(
        Score.objects.filter(
            collection_id__in=ids, instrument_id=period.instrument_id, basis=Score.Basis.CURRENT
        ).values_list("collection_id", "replicates")
    )
    values = {cid: intervals.replicates_from_bytes(blobs.get(cid) or b"") for cid in ids}
    lengths = {len(v) for v in values.values()}
    if 0 in lengths or len(lengths) > 1:
        return {"waiting": sum(1 for v in values.values() if len(v) != max(lengths, default=0))}
    provinces = dict(zip(ids, ranked["province_id"].tolist(), strict=True))
    data = intervals.rank_intervals(values, provinces)
    row = RankIntervals(
        period_id=period.pk,
        fingerprint=wanted,
        data={str(cid): value for cid, value in data.items()},
        replicates=lengths.pop() if lengths else 0,
        computed_at=timezone.now(),
    )
    # An upsert: two workers at once leave one row (the period is unique).
    RankIntervals.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["period"],
        update_fields=["fingerprint", "data", "replicates", "computed_at"],
    )
    return {"stored": len(data)}


def rank_periods() -> list[Period]:
    """Periods the sweep checks: those with a verified or final collection, or with stored rank intervals
    (a ranked set that became empty is stored empty too)."""
    return list(
        Period.objects.filter(
            Q(collections__state__in=RANKED_STATES) | Q(rank_intervals__isnull=False)
        ).distinct()
    )
