"""The Celery task computing a period's reliability of the instrument (scoring.reliability_store), and the
two ways it is asked for: BNN pusat's "Hitung" click (at once) and the period's scores being stored
(debounced like the reports' render: one computation per burst of score changes, the receiver of
scoring.signals.scores_stored connected in scoring/apps.py). Listed in settings.CELERY_IMPORTS.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from scoring import reliability_store
from scoring.pending import QUICK_RETRY, enqueue_once

logger = logging.getLogger(__name__)


@shared_task(name="scoring.compute_reliability", soft_time_limit=600, time_limit=660)
def compute_reliability(period_id: int, force: bool = False) -> dict:
    """Compute and store the period's reliability (nothing is written when its inputs are unchanged)."""
    try:
        return reliability_store.compute(period_id, force=force)
    except Exception:
        logger.exception("reliability of period %s failed", period_id)
        reliability_store.mark_failed(period_id)
        return {"failed": period_id}


def request_now(period_id: int) -> bool:
    """BNN pusat's "Hitung": queue one computation after commit unless one is queued. Never raises: with
    the broker away the row is marked failed and the page says so. True when this click queued it."""
    if not reliability_store.mark_requested(period_id):
        return False
    transaction.on_commit(lambda: _send(period_id))
    return True


def _send(period_id: int) -> None:
    try:
        compute_reliability.apply_async((period_id,), {"force": True}, retry=True, retry_policy=QUICK_RETRY)
    except Exception:
        logger.warning("reliability of period %s not enqueued", period_id)
        reliability_store.mark_failed(period_id)


def on_scores_stored(sender, *, period_id: int, collection_ids: list[int], **kwargs) -> None:
    """Receiver of scoring.signals.scores_stored: recompute the period's reliability once per burst. With
    eager tasks (development, tests) nothing is computed here: the page's "Hitung" does it."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    delay = settings.REPORT_RENDER_DEBOUNCE_SECONDS
    try:
        enqueue_once(
            f"kotan:reliability-pending:{period_id}", delay, compute_reliability, (period_id,), delay
        )
    except Exception:
        logger.warning("reliability of period %s not enqueued after its scores changed", period_id)
