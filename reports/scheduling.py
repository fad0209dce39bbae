"""Asking for reports to be rendered: a period's reports after its scores changed (debounced, the receiver
of scoring.signals.scores_stored, connected in reports/apps.py), all of them at once (BNN pusat's
"Render ulang"), or the one PDF a user clicked for. The only module of reports that knows the render
tasks besides the tasks themselves.
"""

import logging

from django.conf import settings
from django.db import transaction

from reports import report_links
from reports.models import RenderRequest
from reports.render_tasks import render_period_reports, render_scope_report
from scoring.pending import QUICK_RETRY, enqueue_once

logger = logging.getLogger(__name__)


def on_scores_stored(sender, *, period_id: int, collection_ids: list[int], **kwargs) -> None:
    """Receiver of scoring.signals.scores_stored (sent after commit): the period's reports follow."""
    request_period_render(period_id)


def request_period_render(period_id: int) -> None:
    """Re-render the period's reports after its scores changed, at most once per window (a submission
    day changes many scores; the national report should render once for the burst, not per score).

    With tasks running eagerly (development) nothing is rendered here: a whole period takes minutes;
    a page that finds its report missing renders just that one."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    delay = settings.REPORT_RENDER_DEBOUNCE_SECONDS
    try:
        enqueue_once(f"kotan:render-pending:{period_id}", delay, render_period_reports, (period_id,), delay)
    except Exception:
        logger.warning("report render of period %s not enqueued", period_id)


def render_all_now(period_id: int, *, force: bool = False) -> None:
    """Enqueue render_period_reports after the current transaction commits, without the debounce of
    request_period_render (which is what a score change calls)."""
    transaction.on_commit(lambda: render_period_reports.delay(period_id, force=force))


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
