"""Read-only rows of the monev pages: a plan's follow-ups and comments by item, and a province's summary
(items by status, strategy and instansi, overdue items, kab/kota without a plan) for one period. Views
render these rows; they build no tables themselves. Scope is the caller's: pass a visible province."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count

from assessments.models import Collection, Period
from assessments.periods import current_period

from . import monev_services
from .models import ActionItem, ActionPlan, FollowUp, PlanComment


def follow_ups_by_item(plan: ActionPlan) -> dict[int, list[FollowUp]]:
    """{item id: its follow-ups, newest first}: one query whatever the number of items."""
    found: dict[int, list[FollowUp]] = {}
    for row in FollowUp.objects.filter(item__plan=plan).select_related("created_by"):
        found.setdefault(row.item_id, []).append(row)
    return found


def comments_of(plan: ActionPlan) -> list[PlanComment]:
    return list(PlanComment.objects.filter(plan=plan).select_related("author", "item"))


def province_period(province, year: int | None) -> Period | None:
    """The period asked for (by year) if the province takes part in it, else the current one."""
    periods = Period.objects.filter(participants__province=province).distinct()
    if year is not None:
        return periods.filter(year=year).first()
    return current_period(periods)


def _counted(rows, labels: dict[str, str]) -> list[dict]:
    """[{key, label, count}] in the order of `labels`, zero counts included."""
    counts = {r["key"]: r["n"] for r in rows}
    return [{"key": k, "label": label, "count": counts.get(k, 0)} for k, label in labels.items()]


def province_summary(province, period: Period, today: datetime.date) -> dict:
    """The monev summary of a province in a period (a handful of queries, whatever its size)."""
    items = ActionItem.objects.filter(
        plan__collection__period=period, plan__collection__regency__province=province
    )
    by_status = items.values("status").annotate(n=Count("id")).values_list("status", "n")
    by_strategy = items.values("strategy").annotate(n=Count("id")).values_list("strategy", "n")
    agencies = Counter(
        dict(items.values("agency__name").annotate(n=Count("id")).values_list("agency__name", "n"))
    )
    planned = set(
        Collection.objects.filter(
            period=period, regency__province=province, action_plan__isnull=False
        ).values_list("regency_id", flat=True)
    )
    signed = Collection.objects.filter(
        period=period, regency__province=province, action_plan__signed_file__gt=""
    ).count()
    without = period.participants.filter(province=province).exclude(pk__in=planned).order_by("name")
    return {
        "period": period,
        "plans": len(planned),
        "signed": signed,  # plans with the Tim Terpadu's signed copy uploaded (plans.signing)
        "items": sum(n for _s, n in by_status),
        "by_status": _counted([{"key": k, "n": n} for k, n in by_status], dict(ActionItem.Status.choices)),
        "by_strategy": _counted(
            [{"key": k, "n": n} for k, n in by_strategy], dict(ActionItem.Strategy.choices)
        ),
        "by_agency": [
            {"label": name, "count": n} for name, n in sorted(agencies.items(), key=lambda a: (-a[1], a[0]))
        ],
        "overdue": sorted(
            monev_services.overdue_items(today, items),
            key=lambda i: (i.target_date, i.plan.collection.regency.name, i.pk),
        ),
        "without_plan": list(without),
    }
