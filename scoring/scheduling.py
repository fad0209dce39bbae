"""Asking for scores to be (re)computed, after the caller's transaction commits.

Debounced: the first request in a window enqueues one task with a countdown and marks the collection
pending in the cache (scoring.pending); later requests in the window add nothing (the task reads the data
when it runs, so it sees them). A burst of 60 imported questionnaires is one computation. Never raises:
with Redis down the save still succeeds, the page says "sedang dihitung", and the beat sweep computes it
later. The receivers below are connected to the survey's signals in scoring/apps.py.
"""

import logging

from django.conf import settings

from scoring.pending import QUICK_RETRY, clear_pending, request_debounced, score_key
from scoring.tasks import compute_collection_score, recompute_period

logger = logging.getLogger(__name__)


def request_collection_score(collection_id: int) -> None:
    """Ask for this collection's score to be recomputed (debounced, never raises to the caller)."""
    try:
        request_debounced(
            score_key(collection_id),
            compute_collection_score,
            (collection_id,),
            settings.SCORE_DEBOUNCE_SECONDS,
        )
    except Exception:
        logger.warning("score of collection %s not enqueued; the sweep will compute it", collection_id)
        clear_pending(collection_id)


def on_collection_score_stale(sender, *, collection_id: int, **kwargs) -> None:
    """Receiver of assessments.signals.collection_score_stale (sent after commit)."""
    request_collection_score(collection_id)


def on_period_scores_stale(sender, *, period_id: int, **kwargs) -> None:
    """Receiver of assessments.signals.period_scores_stale (sent after commit)."""
    request_period_recompute(period_id)


def request_period_recompute(period_id: int) -> None:
    """Rescore a whole period in the background (a weight, band or quota edit). Never raises: with the
    broker down the beat sweep finds every score computed with the old instrument signature."""
    try:
        recompute_period.apply_async((period_id,), retry=True, retry_policy=QUICK_RETRY)
    except Exception:
        logger.warning("recompute of period %s not enqueued; the sweep will find its stale scores", period_id)
