"""Celery tasks that render the report cache (reports.rendering); listed in settings.CELERY_IMPORTS."""

from celery import shared_task

from reports import rendering, report_links


@shared_task(name="reports.render_period_reports")
def render_period_reports(period_id: int, force: bool = False) -> dict:
    """Render the period's reports whose content changed (all of them with force)."""
    return rendering.render_period(period_id, force=force)


@shared_task(name="reports.render_scope_report")
def render_scope_report(period_id: int, scope_kind: str, scope_key: str, force: bool = False) -> dict:
    """Render one report a user asked for (reports.scheduling.request_report_render) and record for the
    page whether it worked."""
    return report_links.render_requested(period_id, scope_kind, scope_key, force=force)
