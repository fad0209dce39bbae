"""Give the demo's earlier periods action plans (local demo only), so the effect shows on `make run`.

For every verified or final collection of the demo province (Jawa Timur, the demo BNNP's) in a period
that has a later period with verified or final collections, a plan with four items aimed at its four
weakest stored indicator scores: the first two selesai, the third berjalan, the fourth direncanakan
(so each plan has completed actions and others). Agencies are the kab/kota's defaults
(plans.services.agencies_ensure_defaults). The demo has no BNNK account for most of those kab/kota, so
plans and items are written here directly (no user), not through the BNNK's services; their history
rows are written as usual. Idempotent: a collection that already has a plan is left as it is.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments.models import Collection
from assessments.states import VERIFIED_STATES
from instruments.models import Indicator
from plans import rules, services
from plans.models import ActionItem, ActionPlan, Agency
from scoring.models import Score

DEMO_PROVINCE = "35"  # Jawa Timur
STATUSES = (
    ActionItem.Status.SELESAI,
    ActionItem.Status.SELESAI,
    ActionItem.Status.BERJALAN,
    ActionItem.Status.DIRENCANAKAN,
)


def demo_collections():
    """The collections that get a plan: verified/final, demo province, a later verified period, no plan."""
    verified = Collection.objects.filter(state__in=VERIFIED_STATES)
    years = sorted(set(verified.values_list("period__year", flat=True)))
    earlier = years[:-1]
    return (
        verified.filter(
            regency__province__code=DEMO_PROVINCE, period__year__in=earlier, action_plan__isnull=True
        )
        .select_related("regency", "period")
        .order_by("period__year", "regency__code")
    )


class Command(BaseCommand):
    help = "Rencana aksi demo untuk periode sebelumnya (data sintetis)."

    def handle(self, *args, **options):
        made = 0
        for collection in demo_collections():
            score = services.verified_score(collection)
            if score is None or not score.indicators:
                continue
            with transaction.atomic():
                self._plan(collection, score)
            made += 1
        self.stdout.write(f"Demo action plans: {made} created.")

    def _plan(self, collection: Collection, score: Score) -> None:
        services.agencies_ensure_defaults(regency=collection.regency)
        agencies = list(Agency.objects.filter(regency=collection.regency).order_by("name"))
        year = collection.period.year
        plan = ActionPlan.objects.create(
            collection=collection,
            title=f"Rencana aksi P4GN {collection.regency.name} {year}",
            created_at=timezone.make_aware(datetime.datetime(year, 12, 22, 9, 0)),
        )
        by_code = {
            ind.code: ind
            for ind in Indicator.objects.filter(variable__instrument_id=score.instrument_id).select_related(
                "variable"
            )
        }
        weakest = sorted((v, c) for c, v in score.indicators.items() if c in by_code and v is not None)[:4]
        for i, (_value, code) in enumerate(weakest):
            indicator = by_code[code]
            status = STATUSES[i]
            item = ActionItem.objects.create(
                plan=plan,
                strategy=rules.strategy_for_variable(indicator.variable.code),
                agency=agencies[(i + collection.regency_id) % len(agencies)],
                activity=f"Penguatan {indicator.name[:80]}",
                expected_output=f"Skor indikator {code} naik pada penilaian berikutnya",
                target_date=datetime.date(year + 1, 3 + 2 * i, 28),
                budget=25_000_000 * (i + 1),
                budget_source="APBD",
                status=status,
                completed_at=(
                    timezone.make_aware(datetime.datetime(year + 1, 3 + 2 * i, 20, 10, 0))
                    if status == ActionItem.Status.SELESAI
                    else None
                ),
            )
            item.indicators.add(indicator)
