"""The demo's monev (plans/management/commands/load_demo_plans.py): follow-ups and comments on the demo
plans, idempotent, with an item left overdue without a follow-up for the province page."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import pytest
from django.core.management import call_command

from assessments.models import Period
from plans import monev_selectors
from plans.models import ActionItem, ActionPlan, FollowUp, PlanComment
from tests.test_plans_national import world  # noqa: F401  (the fixture: 2025 and 2026 verified)

pytestmark = pytest.mark.django_db


def test_demo_monev_is_idempotent_and_leaves_an_item_overdue(client, world, bnnp_a, bnnk_a, province_a):  # noqa: F811
    """The demo plans get the demo BNNP's follow-ups and comments (A's BNNK answers; B has no BNNK), dated
    up to today; the planned item gets none and shows as overdue on the province page of 2025."""
    ActionPlan.objects.all().delete()
    today = datetime.date(2026, 12, 6)
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        call_command("load_demo_plans", stdout=io.StringIO())
        counts = (FollowUp.objects.count(), PlanComment.objects.count(), FollowUp.history.count())
        assert counts == (10, 3, 10)  # 2 plans x (2 + 2 + 1) follow-ups; BNNP x2, A's BNNK x1
        out = io.StringIO()
        call_command("load_demo_plans", stdout=out)
    assert "Demo monev: 0 follow-ups, 0 comments created." in out.getvalue()
    assert (FollowUp.objects.count(), PlanComment.objects.count(), FollowUp.history.count()) == counts
    assert not FollowUp.objects.exclude(created_by=bnnp_a).exists()
    assert all(f.date <= today and 0 <= f.progress <= 100 and f.note for f in FollowUp.objects.all())
    assert set(PlanComment.objects.values_list("author__username", flat=True)) == {"bnnp_a", "bnnk_a"}
    # The test instrument has three indicators, so each plan has three items (selesai, selesai, berjalan);
    # the demo's has more, and its fourth, planned item gets no follow-up: a plan given one is redone.
    plan = ActionPlan.objects.get(collection__regency=world.collection.regency)
    FollowUp.objects.filter(item__plan=plan).delete()
    plan.comments.all().delete()
    last = plan.items.order_by("target_date").last()
    planned = ActionItem.objects.create(
        plan=plan,
        strategy=last.strategy,
        agency=last.agency,
        activity="Butir keempat",
        expected_output="Keluaran",
        target_date=datetime.date(2026, 9, 28),
    )
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        call_command("load_demo_plans", stdout=io.StringIO())
    assert FollowUp.objects.filter(item__plan=plan).count() == 5 and plan.comments.count() == 2
    assert not planned.follow_ups.exists()
    summary = monev_selectors.province_summary(province_a, Period.objects.get(year=2025), today)
    overdue = {i.pk for i in summary["overdue"]}
    assert planned.pk in overdue and len(overdue) == 3  # with the two running items (target 28 Jul 2026)
    client.force_login(bnnp_a)
    body = client.get("/rencana-aksi/provinsi/35/?tahun=2025").content.decode()
    assert body.count('data-testid="overdue-item"') == 3 and "Butir keempat" in body
    assert '<a href="?tahun=2026">2026</a>' in body and '<strong aria-current="page">2025</strong>' in body
