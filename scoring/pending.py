"""Debounce marks in the shared cache: one pending task per key (a collection's score, a period's render),
sent with a countdown, and the quick broker retry of a request that must not wait for a broker that is
down. Used by scoring.scheduling, by the score and rank tasks that clear their own marks, and by
reports.scheduling.
"""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# A broker that is down must not hold up the user's request: one quick retry, then give up.
QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def score_key(collection_id: int) -> str:
    """The cache key marking a collection's score computation as pending."""
    return f"kotan:score-pending:{collection_id}"


def clear_key(key: str) -> None:
    """Drop a debounce mark (first thing a debounced task does: a change committed while it runs asks
    again). Never raises: the cache is Redis too; a failure only means one more run later."""
    try:
        cache.delete(key)
    except Exception:
        logger.warning("debounce key %s not cleared", key)


def clear_pending(collection_id: int) -> None:
    clear_key(score_key(collection_id))


def enqueue_once(key: str, hold: int, task, args: tuple, countdown: int) -> None:
    """Send `task` with a countdown unless one is already pending under `key` (held `hold` seconds).
    Raises what the cache or broker raise; callers decide what a failure means."""
    if cache.add(key, 1, timeout=hold):
        task.apply_async(args, countdown=countdown, retry=True, retry_policy=QUICK_RETRY)


def request_debounced(key: str, task, args: tuple, delay: int) -> None:
    """Ask for `task` once per burst: sent `delay` seconds from now unless one is pending under `key` (the
    mark outlives the countdown by a minute); with eager tasks (development, tests) run at once, there is
    nothing to debounce against. Raises what the cache or broker raise; callers decide what that means."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.delay(*args)
        return
    enqueue_once(key, delay + 60, task, args, delay)
