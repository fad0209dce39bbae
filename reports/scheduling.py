"""Asking for a collection's score to be (re)computed, after the caller's transaction commits.

Debounced: the first request in a window enqueues one task with a countdown and marks the collection
pending in the cache; later requests in the window add nothing (the task reads the data when it runs,
so it sees them). A burst of 60 imported questionnaires is one computation. Never raises: with Redis
down the save still succeeds, the page says "sedang dihitung", and the beat sweep computes it later.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from reports import report_links
from reports.models import RenderRequest
from reports.render_tasks import render_scope_report

logger = logging.getLogger(__name__)


def _key(collection_id: int) -> str:
    return f"kotan:score-pending:{collection_id}"


def clear_pending(collection_id: int) -> None:
    try:
        cache.delete(_key(collection_id))
    except Exception:  # the cache is Redis too; a failure only means one more computation later
        logger.warning("score debounce key not cleared for collection %s", collection_id)


# A broker that is down must not hold up the user's request: one quick retry, then give up.
QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def _enqueue_once(key: str, hold: int, task, args: tuple, countdown: int) -> None:
    """Send `task` with a countdown unless one is already pending under `key` (held `hold` seconds).
    Raises what the cache or broker raise; callers decide what a failure means."""
    if cache.add(key, 1, timeout=hold):
        task.apply_async(args, countdown=countdown, retry=True, retry_policy=QUICK_RETRY)


def request_collection_score(collection_id: int) -> None:
    """Ask for this collection's score to be recomputed (debounced, never raises to the caller)."""
    from reports.tasks import compute_collection_score

    delay = settings.SCORE_DEBOUNCE_SECONDS
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            compute_collection_score.delay(collection_id)  # in-process: nothing to debounce against
            return
        _enqueue_once(_key(collection_id), delay + 60, compute_collection_score, (collection_id,), delay)
    except Exception:
        logger.warning("score of collection %s not enqueued; the sweep will compute it", collection_id)
        clear_pending(collection_id)


def on_collection_score_stale(sender, *, collection_id: int, **kwargs) -> None:
    """Receiver of assessments.signals.collection_score_stale (sent after commit; connected in apps.py)."""
    request_collection_score(collection_id)


def on_period_scores_stale(sender, *, period_id: int, **kwargs) -> None:
    """Receiver of assessments.signals.period_scores_stale (sent after commit; connected in apps.py)."""
    request_period_recompute(period_id)


def request_period_recompute(period_id: int) -> None:
    """Rescore a whole period in the background (a weight, band or quota edit). Never raises: with the
    broker down the beat sweep finds every score computed with the old instrument signature."""
    from reports.tasks import recompute_period

    try:
        recompute_period.apply_async((period_id,), retry=True, retry_policy=QUICK_RETRY)
    except Exception:
        logger.warning("recompute of period %s not enqueued; the sweep will find its stale scores", period_id)


def request_period_render(period_id: int) -> None:
    """Re-render the period's reports after its scores changed, at most once per window (a submission
    day changes many scores; the national report should render once for the burst, not per score).

    With tasks running eagerly (development) nothing is rendered here: a whole period takes minutes;
    a page that finds its report missing renders just that one."""
    from reports.render_tasks import render_period_reports

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    delay = settings.REPORT_RENDER_DEBOUNCE_SECONDS
    try:
        _enqueue_once(f"kotan:render-pending:{period_id}", delay, render_period_reports, (period_id,), delay)
    except Exception:
        logger.warning("report render of period %s not enqueued", period_id)


def request_report_render(period_id: int, scope_kind: str, key: str) -> bool:
    """A user's click asking for one report's PDF: queued once however often it is clicked (a double
    click, two users at once; reports.report_links.claim), sent after commit. Never raises: with the
    broker away the request is recorded as failed and the page says so. Returns whether this click
    queued a render (with eager tasks, the render has run when the transaction commits)."""
    if not report_links.claim(period_id, scope_kind, key):
        return False
    transaction.on_commit(lambda: _send_report_render(period_id, scope_kind, key))
    return True


def _send_report_render(period_id: int, scope_kind: str, key: str) -> None:
    try:
        render_scope_report.apply_async((period_id, scope_kind, key), retry=True, retry_policy=QUICK_RETRY)
    except Exception:
        logger.warning("render of the %s %s report of period %s not enqueued", scope_kind, key, period_id)
        report_links.record_outcome(period_id, scope_kind, key, ok=False, reason=RenderRequest.Reason.BROKER)
