"""Bootstrap intervals written straight into a scored period (tests.scored_data), as the score tasks of
issue 17 store them: Score.ci on each current score and the period's RankIntervals with the fingerprint of
its ranked set (Kota Malang 3573 and Batanghari 1504)."""

from django.utils import timezone

from scoring.intervals import ranked_set_fingerprint
from scoring.models import RankIntervals, Score

# (reported interval, variable intervals) per kab/kota code; 3573 is 80.0 with its interval over the
# 80.00 upper edge of "Tanggap" (it straddles), 1504 is 55.0 inside "Cukup Tanggap".
CI = {
    "3573": ([78.4, 81.6], {"KK": [87.5, 92.25], "KL": [66.0, 73.5]}),
    "1504": ([52.1, 57.9], {"KK": [45.0, 55.0], "KL": [57.25, 62.75]}),
    "3507": ([61.0, 69.0], {"KK": [55.0, 65.0], "KL": [66.0, 74.0]}),
}
RANKS = {"3573": {"national": [1, 2], "province": [1, 1]}, "1504": {"national": [1, 2], "province": [1, 1]}}


def current_scores(period):
    return {
        s.collection.regency.code: s
        for s in Score.objects.filter(collection__period=period, basis="current").select_related(
            "collection__regency"
        )
    }


def add_intervals(period, *, rank_fingerprint: str | None = None) -> RankIntervals:
    """Score.ci on every current score of the period; RankIntervals of its ranked set (or with the given,
    e.g. stale, fingerprint)."""
    scores = current_scores(period)
    for code, score in scores.items():
        reported, variables = CI[code]
        ci = {"overall": reported, "reported": reported, "variables": variables}
        Score.objects.filter(pk=score.pk).update(ci={**ci, "replicates": 1000, "seed": 7, "level": 0.95})
    ranked = [scores["3573"], scores["1504"]]
    fingerprint = rank_fingerprint or ranked_set_fingerprint((s.collection_id, s.input_hash) for s in ranked)
    return RankIntervals.objects.update_or_create(
        period=period,
        defaults={
            "fingerprint": fingerprint,
            "data": {str(scores[code].collection_id): value for code, value in RANKS.items()},
            "replicates": 1000,
            "computed_at": timezone.now(),
        },
    )[0]
