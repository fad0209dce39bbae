"""BNN pusat's page of the instrument's reliability (/laporan/<year>/reliabilitas/): the stored result of
the reliability task in its state (not computed, being computed, computed, older than the answers,
failed) and "Hitung", which queues the task (scoring.reliability_tasks). Nothing is computed here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Period
from kotan import access
from reports import reliability_tables
from scoring import reliability, reliability_store, reliability_tasks


def _period(request: HttpRequest, year: int) -> Period:
    if not access.is_national(request.user):
        raise PermissionDenied
    return get_object_or_404(Period.objects.select_related("instrument"), year=year)


@require_GET
@login_required
def reliability_page(request: HttpRequest, year: int) -> HttpResponse:
    period = _period(request, year)
    state = reliability_store.state_of(period)
    data = state.report.data if state.report is not None else {}
    groups, variables = reliability_tables.variable_rows(data)
    items = reliability_tables.item_rows(data)
    context = {
        "period": period,
        "state": state.state,
        "report": state.report,
        "data": data,
        "groups": [(g, dict(data.get("group_names", [])).get(g, g)) for g in groups],
        "variables": variables,
        "provinces": reliability_tables.province_rows(data),
        "items": items,
        "flagged": sum(1 for i in items if i["flagged"]),
        "low_r": reliability.LOW_ITEM_TOTAL,
        "min_n": reliability.MIN_N,
    }
    response = render(request, "reports/reliability.html", context)
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def reliability_compute(request: HttpRequest, year: int) -> HttpResponse:
    """ "Hitung": queue the computation unless one is running (a double click computes once)."""
    period = _period(request, year)
    reliability_tasks.request_now(period.pk)
    return redirect(reverse("reports:reliability", args=[year]))
