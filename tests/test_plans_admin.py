"""The plans admin (plans.admin): BNN pusat reads action plans with their items inline, instansi/OPD,
follow-ups and comments, filtered by province, period and status; it changes and deletes nothing there,
and a follow-up's file is never linked from the admin."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plans import monev_services
from plans.models import ActionPlan, FollowUp, PlanComment
from tests.test_plans_monev import PDF, TODAY, media, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monev(world, bnnp_a, media):  # noqa: F811
    follow_up = monev_services.follow_up_add(
        user=bnnp_a,
        item=world["items"]["late"],
        date=TODAY,
        progress=45,
        note="Rapat kedua digelar",
        uploaded_file=SimpleUploadedFile("notulen.pdf", PDF),
        today=TODAY,
    )
    comment = monev_services.comment_add(user=bnnp_a, plan=world["plan_a"], text="Mohon percepat")
    return {**world, "follow_up": follow_up, "comment": comment}


def test_pusat_reads_plans_with_items_inline_and_filters(client, pusat, monev):
    client.force_login(pusat)
    plan = monev["plan_a"]
    body = client.get(f"/admin/plans/actionplan/{plan.pk}/change/").content.decode()
    for item in plan.items.all():
        assert item.activity in body
    assert 'name="_save"' not in body  # read-only
    filtered = client.get("/admin/plans/actionplan/", {"items__status": "batal"})
    assert filtered.status_code == 200
    assert list(filtered.context["cl"].result_list) == [monev["plan_b"]]
    by_province = client.get("/admin/plans/actionplan/", {"collection__regency__province__id__exact": "0"})
    assert list(by_province.context["cl"].result_list) == []
    rows = client.get("/admin/plans/followup/", {"item__status": "direncanakan"}).context["cl"].result_list
    assert list(rows) == [monev["follow_up"]]
    assert not client.get("/admin/plans/followup/", {"item__status": "selesai"}).context["cl"].result_list
    comments = client.get(
        "/admin/plans/plancomment/", {"plan__collection__period__id__exact": monev["period"].pk}
    )
    assert list(comments.context["cl"].result_list) == [monev["comment"]]


def test_pusat_changes_nothing_and_sees_no_file_link(client, pusat, monev):
    client.force_login(pusat)
    row = monev["follow_up"]
    body = client.get(f"/admin/plans/followup/{row.pk}/change/").content.decode()
    assert "Rapat kedua digelar" in body and row.file.name not in body and "/media/" not in body
    client.post(f"/admin/plans/followup/{row.pk}/change/", {"progress": "99", "date": "2027-01-01"})
    client.post(f"/admin/plans/followup/{row.pk}/delete/", {"post": "yes"})
    client.post(f"/admin/plans/plancomment/{monev['comment'].pk}/delete/", {"post": "yes"})
    client.post(f"/admin/plans/actionplan/{monev['plan_a'].pk}/delete/", {"post": "yes"})
    row.refresh_from_db()
    assert row.progress == 45 and PlanComment.objects.count() == 1 and ActionPlan.objects.count() == 2
    assert FollowUp.history.filter(id=row.pk).count() == 1
    assert client.get("/admin/plans/actionplan/add/").status_code == 403
