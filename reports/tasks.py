"""Celery tasks for scores: take ids, load, call the engine (through reports.services), save.

No business rule lives here. Every task is idempotent (equal inputs write nothing; the upsert keeps
one row per collection, instrument and basis), so a redelivered task after a killed worker
(acks_late + reject_on_worker_lost in settings) or two workers at once are harmless.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from assessments.models import Collection, Period
from reports import scheduling, services

logger = logging.getLogger(__name__)

# A database restart or a dropped pooled connection is worth retrying; a bug is not.
TRANSIENT = (OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}


def _after(period_id: int, run: services.ScoreRun) -> dict:
    """Scores changed: the period's cached reports are re-rendered (debounced)."""
    if run.written or run.removed or run.categories_updated:
        scheduling.request_period_render(period_id)
    return run.as_dict()


@shared_task(name="reports.compute_collection_score", **RETRY)
def compute_collection_score(collection_id: int) -> dict:
    """Score one collection (both bases)."""
    # Cleared first: a change committed while this runs schedules a fresh computation.
    scheduling.clear_pending(collection_id)
    collection = Collection.objects.select_related("period__instrument").filter(pk=collection_id).first()
    if collection is None:
        return {"missing": collection_id}
    return _after(collection.period_id, services.score_collections(collection.period, [collection_id]))


@shared_task(name="reports.recompute_period", **RETRY)
def recompute_period(period_id: int) -> dict:
    """Score every collection of a period in one vectorised pass (weights or bands changed, or to
    assign relative bands once all scores are in)."""
    period = Period.objects.select_related("instrument").filter(pk=period_id).first()
    if period is None:
        return {"missing": period_id}
    return _after(period.pk, services.score_collections(period))


@shared_task(name="reports.sweep_scores", **RETRY)
def sweep_scores() -> dict:
    """Beat: recompute collections whose stored score is missing or stale (a broker that was down, a
    worker killed mid-task)."""
    done = {}
    for period_id, ids in services.stale_collections().items():
        period = Period.objects.select_related("instrument").get(pk=period_id)
        done[period_id] = _after(period_id, services.score_collections(period, ids))
    if done:
        logger.info("score sweep: %s", done)
    return done
