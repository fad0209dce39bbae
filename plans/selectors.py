"""Reads for the national view, the export and the effect of action plans: plain rows and the plain data
plans.effect wants, each in a constant number of queries. Scope is never decided here: callers pass the
kotan.access filter (or a kab/kota they were allowed to see)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, F, Max, Q

from assessments.models import Collection, Period
from assessments.states import VERIFIED_STATES
from scoring.models import Score

from . import effect, rules
from .models import ActionItem, ActionPlan, Agency

SELESAI = ActionItem.Status.SELESAI
BATAL = ActionItem.Status.BATAL


# --- the effect's inputs ------------------------------------------------------------------------------


def stored_scores(since: int | None = None) -> dict[str, dict[int, dict[str, float]]]:
    """{regency code: {year: {indicator code: score}}}: the current score of every verified or final
    collection, on its period's instrument (what rankings use), of the years from `since` on (all when
    None). One query."""
    rows = Score.objects.filter(
        basis=Score.Basis.CURRENT,
        collection__state__in=VERIFIED_STATES,
        instrument_id=F("collection__period__instrument_id"),
        **({"collection__period__year__gte": since} if since is not None else {}),
    ).values_list("collection__regency__code", "collection__period__year", "indicators")
    scores: dict[str, dict[int, dict[str, float]]] = defaultdict(dict)
    for code, year, indicators in rows:
        scores[code][year] = indicators or {}
    return dict(scores)


def plan_facts(plan_filter: Q | None = None) -> list[effect.PlanFacts]:
    """One PlanFacts per plan matching `plan_filter` (on ActionPlan), ordered by year then kab/kota code:
    the indicator codes with at least one completed item. Two queries."""
    plans = list(
        ActionPlan.objects.filter(plan_filter or Q())
        .order_by("collection__period__year", "collection__regency__code")
        .values_list("pk", "collection__regency__code", "collection__period__year")
    )
    done = ActionItem.indicators.through.objects.filter(
        actionitem__plan_id__in=[pk for pk, _code, _year in plans], actionitem__status=SELESAI
    ).values_list("actionitem__plan_id", "indicator__code")
    actioned: dict[int, set[str]] = defaultdict(set)
    for plan_id, code in done:
        actioned[plan_id].add(code)
    return [
        effect.PlanFacts(regency=code, year=year, actioned=frozenset(actioned[pk]))
        for pk, code, year in plans
    ]


def effect_inputs(plan_filter: Q | None = None) -> tuple[list[effect.PlanFacts], dict]:
    """(plans, scores) for plans.effect.plan_effects: the scores of the plans' years and later only (a
    plan compares its year with later ones; a kab/kota's card so reads two or three years, not all).
    Three queries, two when no plan matches."""
    plans = plan_facts(plan_filter)
    if not plans:
        return plans, {}
    return plans, stored_scores(since=min(p.year for p in plans))


def pooled(plan_filter: Q | None = None) -> effect.PooledEffect:
    """The pooled effect over the plans matching `plan_filter`."""
    plans, scores = effect_inputs(plan_filter)
    return effect.pooled_effect(effect.plan_effects(plans, scores))


def regency_effects(regency) -> list[effect.PlanEffect]:
    """The effect of each of a kab/kota's plans (oldest first) that could be compared. Three queries."""
    plans, scores = effect_inputs(Q(collection__regency=regency))
    return [e for e in effect.plan_effects(plans, scores) if e.compared]


def effect_reaching(regency, year: int) -> effect.PlanEffect | None:
    """The effect of the kab/kota's plan whose next scored period is `year` (what that year's report card
    shows), None when no plan reaches it. Three queries."""
    return next((e for e in regency_effects(regency) if e.year_to == year), None)


def regency_plans_stamp(regency) -> tuple:
    """What the kab/kota's report card reads of its plans, as a few numbers for its page fingerprint
    (reports.page_cache): items, completed items, the newest change of an item. One query."""
    row = ActionItem.objects.filter(plan__collection__regency=regency).aggregate(
        n=Count("pk"), done=Count("pk", filter=Q(status=SELESAI)), at=Max("updated_at")
    )
    return (row["n"], row["done"], row["at"].isoformat() if row["at"] else "")


def plan_changed_at(period_id: int, regency_code: str) -> datetime.datetime | None:
    """When the plan of the kab/kota in the period last changed in what its PDF prints: the plan itself
    (title, document), an item (added, edited, its status, dropped: history rows count the drop too) or an
    instansi/OPD name. None without a plan. Three queries. (The signed copy's upload changes none.)"""
    plan = (
        ActionPlan.objects.filter(collection__period_id=period_id, collection__regency__code=regency_code)
        .values("pk", "updated_at", "collection__regency_id")
        .first()
    )
    if plan is None:
        return None
    items = ActionItem.history.filter(plan_id=plan["pk"]).aggregate(at=Max("history_date"))["at"]
    agencies = Agency.history.filter(regency_id=plan["collection__regency_id"]).aggregate(
        at=Max("history_date")
    )["at"]
    return max(at for at in (plan["updated_at"], items, agencies) if at is not None)


def plan_items(plan: ActionPlan) -> list[ActionItem]:
    """The plan's items in target-date order with their instansi and indicators (three queries)."""
    return list(
        plan.items.select_related("agency").prefetch_related("indicators").order_by("target_date", "pk")
    )


def plan_effect(regency, year: int) -> effect.PlanEffect | None:
    """The effect of the kab/kota's plan of `year` (compared or with its reason), None without a plan.
    Three queries."""
    plans, scores = effect_inputs(Q(collection__regency=regency, collection__period__year=year))
    return effect.plan_effects(plans, scores)[0] if plans else None


# --- the national view -----------------------------------------------------------------------------------


def plan_periods() -> list[dict]:
    """Every period (newest first) with how many plans it has: year, name, plans. One query."""
    return list(
        Period.objects.order_by("-year")
        .annotate(plans=Count("collections__action_plan"))
        .values("year", "name", "plans")
    )


def coverage(period_year: int, regency_filter: Q) -> list[dict]:
    """Per province (by code): code, name, regencies (taking part in the period), with_plan, signed (plans
    with the Tim Terpadu's signed copy uploaded). One query."""
    rows = (
        Collection.objects.filter(regency_filter, period__year=period_year)
        .values(code=F("regency__province__code"), name=F("regency__province__name"))
        .annotate(
            regencies=Count("pk"),
            with_plan=Count("action_plan"),
            signed=Count("action_plan", filter=Q(action_plan__signed_file__gt="")),
        )
        .order_by("code")
    )
    return list(rows)


def item_counts(period_year: int, item_filter: Q, by: str) -> list[dict]:
    """Items of the period's plans grouped by `by` ("strategy" or "agency__name"): key, total, done
    (selesai), active (not batal), sorted by total descending. One query."""
    rows = (
        ActionItem.objects.filter(item_filter, plan__collection__period__year=period_year)
        .values(key=F(by))
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=SELESAI)),
            active=Count("pk", filter=~Q(status=BATAL)),
        )
        .order_by("-total", "key")
    )
    return list(rows)


def completion(rows: list[dict]) -> dict:
    """Totals of item_counts rows and the completion rate (selesai / not batal, in %; None when none)."""
    done = sum(r["done"] for r in rows)
    active = sum(r["active"] for r in rows)
    return {
        "total": sum(r["total"] for r in rows),
        "done": done,
        "active": active,
        "rate": 100.0 * done / active if active else None,
    }


# --- the export ---------------------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "pk",
    "plan__collection__period__year",
    "plan__collection__regency__province__code",
    "plan__collection__regency__province__name",
    "plan__collection__regency__code",
    "plan__collection__regency__name",
    "plan__title",
    "strategy",
    "agency__name",
    "activity",
    "expected_output",
    "target_date",
    "budget",
    "budget_source",
    "status",
    "completed_at",
)


def export_items(item_filter: Q, today: datetime.date, period_year: int | None = None) -> list[dict]:
    """Every item matching `item_filter` (and the period, if given), ordered by year, kab/kota code and
    target date: the EXPORT_FIELDS plus `indicators` (codes joined by ", ") and `overdue`. Two queries."""
    items = ActionItem.objects.filter(item_filter)
    if period_year is not None:
        items = items.filter(plan__collection__period__year=period_year)
    rows = list(
        items.order_by(
            "plan__collection__period__year", "plan__collection__regency__code", "target_date", "pk"
        ).values(*EXPORT_FIELDS)
    )
    links = ActionItem.indicators.through.objects.filter(actionitem_id__in=[r["pk"] for r in rows]).order_by(
        "indicator__variable__order", "indicator__order", "indicator__code"
    )
    codes: dict[int, list[str]] = defaultdict(list)
    for item_id, code in links.values_list("actionitem_id", "indicator__code"):
        codes[item_id].append(code)
    for row in rows:
        row["indicators"] = ", ".join(codes[row["pk"]])
        row["overdue"] = rules.is_overdue(target_date=row["target_date"], status=row["status"], today=today)
    return rows
