"""Celery tasks for scores: take ids, load, call the engine (through scoring.services), save, and say so
(scoring.signals.scores_stored, after commit: reports re-renders from it).

The registered names keep their "reports." prefix from before the scoring app: a running installation
may hold queued tasks and the beat's schedule under those names. No business rule lives here. Every
task is idempotent (equal inputs write nothing; the upsert keeps one row per collection, instrument and
basis), so a redelivered task after a killed worker (acks_late + reject_on_worker_lost in settings) or
two workers at once are harmless.

The rank intervals (scoring.ranks) are asked for by every score task once it has run, whether or not a
score changed: a verify, finalize, return or reopen changes who is ranked without changing a score, and the
workflow asks for the collection's score after each of them. The rank task skips when the ranked set's
fingerprint is the one stored, so asking often is cheap; the beat sweep catches a lost request.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

from assessments.models import Collection, Period
from scoring import heartbeats, ranks, services, signals
from scoring.pending import clear_key, clear_pending, request_debounced

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


def _after(period_id: int, collection_ids: list[int], run: services.ScoreRun) -> dict:
    """Scores changed: tell the layers above after commit (reports re-renders the period, debounced).
    Either way ask for the period's rank intervals (who is ranked may have changed without a score)."""
    if run.written or run.removed or run.categories_updated:
        signals.send_scores_stored(period_id, collection_ids)
    transaction.on_commit(lambda: request_rank_intervals(period_id))
    return run.as_dict()


def rank_key(period_id: int) -> str:
    """The cache key marking a period's rank intervals as pending."""
    return f"kotan:rank-pending:{period_id}"


def request_rank_intervals(period_id: int) -> None:
    """Ask for the period's rank intervals, debounced like a score; never raises (with the broker or the
    cache down the beat sweep computes them)."""
    try:
        request_debounced(rank_key(period_id), rank_intervals, (period_id,), settings.SCORE_DEBOUNCE_SECONDS)
    except Exception:
        logger.warning("rank intervals of period %s not enqueued; the sweep will compute them", period_id)


@shared_task(name="scoring.rank_intervals", soft_time_limit=120, time_limit=180, **RETRY)
def rank_intervals(period_id: int) -> dict:
    """Compute and store the period's rank intervals unless the stored ones are of its ranked set now."""
    clear_key(rank_key(period_id))  # first: a change committed while this runs asks again
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        return {"missing": period_id}
    return ranks.store_rank_intervals(period)


# Names stay "reports.…": a running installation may hold queued tasks and beat entries under them.
@shared_task(name="reports.compute_collection_score", soft_time_limit=120, time_limit=180, **RETRY)
def compute_collection_score(collection_id: int) -> dict:
    """Score one collection (both bases)."""
    # Cleared first: a change committed while this runs schedules a fresh computation.
    clear_pending(collection_id)
    collection = Collection.objects.select_related("period__instrument").filter(pk=collection_id).first()
    if collection is None:
        return {"missing": collection_id}
    run = services.score_collections(collection.period, [collection_id])
    return _after(collection.period_id, [collection_id], run)


@shared_task(name="reports.recompute_period", soft_time_limit=60, time_limit=90, **RETRY)
def recompute_period(period_id: int) -> dict:
    """Rescore every collection of a period (weights or bands changed, or to assign relative bands once all
    scores are in): one recompute_chunk task per province, so a worker killed mid-period loses at most the
    chunks it held, which the sweep finds by their signature. Sending the same chunks twice is harmless."""
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        return {"missing": period_id}
    chunks = services.period_chunks(period)
    for ids in chunks:
        recompute_chunk.delay(period_id, ids)
    return {"chunks": len(chunks), "collections": sum(len(ids) for ids in chunks)}


@shared_task(name="reports.recompute_chunk", soft_time_limit=300, time_limit=360, **RETRY)
def recompute_chunk(period_id: int, collection_ids: list[int]) -> dict:
    """Score these collections of the period in one vectorised pass and store what changed."""
    period = Period.objects.select_related("instrument__band_scheme").filter(pk=period_id).first()
    if period is None:
        return {"missing": period_id}
    return _after(period.pk, collection_ids, services.score_collections(period, collection_ids))


# Collections scored per transaction by the sweep: what it did survives a worker killed halfway.
SWEEP_CHUNK = 100


@shared_task(name="reports.sweep_scores", soft_time_limit=600, time_limit=660, **RETRY)
def sweep_scores() -> dict:
    """Beat: recompute collections whose stored score is missing or stale by its fingerprints (a broker
    that was down, a worker killed mid-task, a lost recompute after a weight or band edit)."""
    done, collections = {}, 0
    for period_id, ids in services.stale_collections().items():
        period = Period.objects.select_related("instrument").get(pk=period_id)
        total = services.ScoreRun()
        for i in range(0, len(ids), SWEEP_CHUNK):
            run = services.score_collections(period, ids[i : i + SWEEP_CHUNK])
            total.written += run.written
            total.unchanged += run.unchanged
            total.removed += run.removed
            total.categories_updated += run.categories_updated
        done[period_id] = _after(period_id, ids, total)
        collections += len(ids)
    for period in ranks.rank_periods():  # a lost rank request: stored only when the ranked set moved
        outcome = ranks.store_rank_intervals(period)
        if "stored" in outcome:
            done.setdefault(period.pk, {})["rank_intervals"] = outcome["stored"]
    heartbeats.record("sweep", {"periods": len(done), "collections": collections})
    if done:
        logger.info("score sweep: %s", done)
    return done
