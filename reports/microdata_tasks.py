"""The Celery task building a period's microdata files for one scope (reports.microdata_exports.run), and
the click that asks for it (queued once, sent after commit). Listed in settings.CELERY_IMPORTS."""

import logging

from celery import shared_task
from django.db import transaction

from assessments.models import Period
from reports import microdata_exports
from scoring.pending import QUICK_RETRY

logger = logging.getLogger(__name__)


@shared_task(name="reports.build_microdata", soft_time_limit=1200, time_limit=1260)
def build_microdata(period_id: int, scope_key: str) -> dict:
    """Build every format of the scope's microdata (rebuilding replaces the files: idempotent)."""
    return microdata_exports.run(period_id, scope_key)


def request_build(period: Period, scope_key: str) -> bool:
    """A user's click: claim the build and send the task after commit. Never raises: with the broker away
    the export is marked failed and the page says so. True when this click queued it."""
    if not microdata_exports.claim(period, scope_key):
        return False
    transaction.on_commit(lambda: _send(period.pk, scope_key))
    return True


def _send(period_id: int, scope_key: str) -> None:
    try:
        build_microdata.apply_async((period_id, scope_key), retry=True, retry_policy=QUICK_RETRY)
    except Exception:
        logger.warning("microdata of period %s scope %r not enqueued", period_id, scope_key)
        microdata_exports.record_failed(period_id, scope_key)
