"""Give the demo's earlier periods action plans (local demo only), so the effect shows on `make run`.

For every verified or final collection of the demo province (Jawa Timur, the demo BNNP's) in a period
that has a later period with verified or final collections, a plan with four items aimed at its four
weakest stored indicator scores: the first two selesai, the third berjalan, the fourth direncanakan
(so each plan has completed actions and others). Agencies are the kab/kota's defaults
(plans.services.agencies_ensure_defaults). The demo has no BNNK account for most of those kab/kota, so
plans and items are written here directly (no user), not through the BNNK's services; their history
rows are written as usual. Idempotent: a collection that already has a plan is left as it is.

Then the monev of those plans (the command's own: no author, demo province) by the demo BNNP (the
province's first BNNP user, if any): dated follow-ups with progress and an Indonesian note on the two
completed items and the running one, none on the planned one (so, once its target date has passed, the
province page lists it as overdue without a follow-up), never dated after today; and a BNNP comment on
the plan, answered by the kab/kota's BNNK where the demo has one. A plan that already has a follow-up or a
comment is left as it is.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from assessments.models import Collection
from assessments.states import VERIFIED_STATES
from instruments.models import Indicator
from plans import rules, services
from plans.models import ActionItem, ActionPlan, Agency, FollowUp, PlanComment
from scoring.models import Score

DEMO_PROVINCE = "35"  # Jawa Timur
STATUSES = (
    ActionItem.Status.SELESAI,
    ActionItem.Status.SELESAI,
    ActionItem.Status.BERJALAN,
    ActionItem.Status.DIRENCANAKAN,
)
# Per item position (as STATUSES): the follow-ups, as (month after the plan year, day, progress, note).
FOLLOW_UPS = (
    (
        (2, 10, 50, "Rapat koordinasi pertama dengan {agency}; jadwal kegiatan disepakati."),
        (3, 25, 100, "Kegiatan selesai; laporan dan dokumentasi diterima BNNP."),
    ),
    (
        (4, 14, 60, "Pelaksanaan di sebagian kecamatan; anggaran sudah dicairkan."),
        (5, 27, 100, "Seluruh kecamatan sasaran selesai; notulen evaluasi diterima."),
    ),
    ((6, 9, 40, "Kegiatan berjalan, tertunda di dua kelurahan karena jadwal {agency}."),),
    (),
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
        follow_ups = comments = 0
        for plan in demo_plans_without_monev():
            with transaction.atomic():
                added = _monev(plan, timezone.localdate())
            follow_ups, comments = follow_ups + added[0], comments + added[1]
        self.stdout.write(f"Demo monev: {follow_ups} follow-ups, {comments} comments created.")

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


def demo_plans_without_monev():
    """The command's own plans (no author, demo province) that have no follow-up and no comment yet."""
    return (
        ActionPlan.objects.filter(collection__regency__province__code=DEMO_PROVINCE, created_by__isnull=True)
        .exclude(items__follow_ups__isnull=False)
        .exclude(comments__isnull=False)
        .select_related("collection__regency", "collection__period")
        .order_by("collection__period__year", "collection__regency__code")
    )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _monev(plan: ActionPlan, today: datetime.date) -> tuple[int, int]:
    """The demo BNNP's follow-ups and comments on one plan; (follow-ups, comments) written."""
    regency = plan.collection.regency
    bnnp = User.objects.filter(role=Role.BNNP, province=regency.province).order_by("username").first()
    bnnk = User.objects.filter(role=Role.BNNK, regency=regency).order_by("username").first()
    year = plan.collection.period.year
    items = list(plan.items.select_related("agency").order_by("target_date", "id"))
    written = 0
    for item, rows in zip(items, FOLLOW_UPS, strict=False):
        for month, day, progress, note in rows:
            date = datetime.date(year + 1, month, day)
            if date > today:
                continue
            row = FollowUp(
                item=item,
                date=date,
                progress=progress,
                note=note.format(agency=item.agency.name),
                created_by=bnnp,
                created_at=_at(date, 10),
            )
            row._history_user = bnnp
            row.save()
            written += 1
    remarks = [(bnnp, "Mohon percepat butir yang belum berjalan dan lampirkan notulen setiap kegiatan.", 1)]
    if bnnk is not None:
        remarks.append((bnnk, "Baik, jadwal butir tersebut sudah kami ajukan ke Bappeda.", 3))
    comments = 0
    for author, text, days in remarks:
        when = datetime.date(year + 1, 6, 10) + datetime.timedelta(days=days)
        if when > today:
            continue
        comment = PlanComment(plan=plan, author=author, text=text, created_at=_at(when, 9))
        comment._history_user = author
        comment.save()
        comments += 1
    return written, comments
