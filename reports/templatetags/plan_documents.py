"""{% plan_document_link user collection as report %}: the action plan's PDF/DOCX link in its state
(reports.report_links) for the plan page, which lives in plans and may not import reports; None when the
user may not see it. Shown with {% include "reports/pdf/_report_link.html" %}."""

from django import template

from reports import downloads
from reports.models import RenderedReport

register = template.Library()


@register.simple_tag
def plan_document_link(user, collection):
    return downloads.report_status(
        user, collection.period, RenderedReport.ScopeKind.PLAN, collection.regency.code
    )
