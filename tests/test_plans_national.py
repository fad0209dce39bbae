"""The national view of action plans (plans.national, plans.selectors): BNN pusat only, its figures on a
small hand-made case, the export's columns and rows, the selectors' constant query count, and the demo
command (idempotent, and its plans give an effect)."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Collection
from instruments.models import Indicator
from plans import selectors, services
from plans.models import ActionItem, ActionPlan, Agency
from tests.factories import make_collection, make_period, make_score

pytestmark = pytest.mark.django_db

URL = "/rencana-aksi/nasional/"


def _verified(regency, period, indicators):
    collection = make_collection(regency, period)
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.VERIFIED)
    make_score(collection, 50.0, {"KK": 50.0}, indicators=indicators)
    return collection


def _item(plan, code, status, **over):
    indicator = Indicator.objects.get(variable__instrument=plan.collection.period.instrument, code=code)
    fields = {
        "plan": plan,
        "strategy": "pengembangan_kapasitas",
        "agency": Agency.objects.get(regency=plan.collection.regency, name="Kesbangpol"),
        "activity": f"Kegiatan {code}",
        "expected_output": "Keluaran",
        "target_date": datetime.date(2026, 3, 31),
        "status": status,
        "completed_at": timezone.now() if status == "selesai" else None,
    }
    fields.update(over)
    item = ActionItem.objects.create(**fields)
    item.indicators.add(indicator)
    return item


@pytest.fixture
def world(regency_a, regency_b, regency_other):
    """2025: A (plan) and B verified, Batanghari taking part without a plan; 2026: A and B verified.
    A's changes: KK1 +10 (a completed item), KK2 +6 (its item batal), KL1 +2 (its item berjalan).
    B's: KK1 +2, KK2 0, KL1 +3."""
    p25 = make_period(regencies=[regency_a, regency_b, regency_other], year=2025)
    p26 = make_period(instrument=p25.instrument, regencies=[regency_a, regency_b], year=2026)
    a25 = _verified(regency_a, p25, {"KK1": 40.0, "KK2": 30.0, "KL1": 50.0})
    _verified(regency_b, p25, {"KK1": 50.0, "KK2": 50.0, "KL1": 50.0})
    make_collection(regency_other, p25)
    _verified(regency_a, p26, {"KK1": 50.0, "KK2": 36.0, "KL1": 52.0})
    _verified(regency_b, p26, {"KK1": 52.0, "KK2": 50.0, "KL1": 53.0})
    services.agencies_ensure_defaults(regency=regency_a)
    plan = ActionPlan.objects.create(collection=a25, title="Rencana Kota Malang")
    _item(plan, "KK1", "selesai", budget=1000, budget_source="APBD")
    _item(plan, "KK2", "batal", strategy="penguatan_kelembagaan")
    _item(plan, "KL1", "berjalan", target_date=datetime.date(2025, 1, 31))
    return plan


def test_national_view_figures_on_a_hand_made_case(client, world, pusat):
    client.force_login(pusat)
    response = client.get(URL + "?tahun=2025")
    assert response.status_code == 200
    ctx = response.context
    assert [(r["code"], r["regencies"], r["with_plan"]) for r in ctx["coverage"]] == [
        ("15", 1, 0),
        ("35", 2, 1),
    ]
    # 3 items, 2 not batal, 1 selesai: 50 %.
    assert ctx["totals"] == {"total": 3, "done": 1, "active": 2, "rate": 50.0}
    by_strategy = {r["key"]: (r["total"], r["done"], r["active"]) for r in ctx["by_strategy"]}
    assert by_strategy == {"pengembangan_kapasitas": (2, 1, 2), "penguatan_kelembagaan": (1, 0, 0)}
    assert [(r["label"], r["total"]) for r in ctx["by_agency"]] == [("Kesbangpol", 3)]
    pooled = ctx["pooled"]
    # With: KK1 +10; without: (6 + 2) / 2 = 4; national KK1 (10 + 2) / 2 = 6, others (3 + 2.5) / 2.
    assert (pooled.plans, pooled.with_change, pooled.without_change) == (1, 10.0, 4.0)
    assert pooled.national_with == pytest.approx(6.0) and pooled.national_without == pytest.approx(2.75)
    assert pooled.year_pairs == ((2025, 2026),)
    body = response.content.decode()
    assert "Asosiasi, bukan bukti sebab-akibat" in body and 'data-testid="caveat"' in body


def test_national_view_defaults_to_the_newest_period_with_plans_and_in_english(client, world, pusat):
    client.force_login(pusat)
    assert client.get(URL).context["year"] == 2025
    pusat.language = "en"
    client.cookies["django_language"] = "en"
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Association, not proof of cause and effect" in body


@pytest.mark.parametrize("tahun", ["1999", "abc"])
def test_national_view_unknown_period_is_a_404(client, world, pusat, tahun):
    client.force_login(pusat)
    assert client.get(URL + f"?tahun={tahun}").status_code == 404


def test_national_view_is_pusat_only(client, world, bnnk_a, bnnp_a):
    for user in (bnnk_a, bnnp_a):
        client.force_login(user)
        assert client.get(URL).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302


def test_export_columns_and_rows(client, world, pusat):
    client.force_login(pusat)
    text = client.get(URL + "ekspor.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == [
        "Periode",
        "Kode provinsi",
        "Provinsi",
        "Kode kab/kota",
        "Kabupaten/kota",
        "Rencana aksi",
    ]
    assert rows[0][-3:] == ["Status", "Selesai pada", "Terlambat"] and len(rows) == 4
    by_code = {r[6]: r for r in rows[1:]}
    assert by_code["KK1"][:5] == ["2025", "35", "Jawa Timur", "3573", "Kota Malang"]
    assert by_code["KK1"][12:15] == ["1000", "APBD", "Selesai"] and by_code["KK1"][15]
    assert by_code["KL1"][-1] == "ya" and by_code["KK1"][-1] == "tidak"  # KL1 berjalan past its date
    wb = openpyxl.load_workbook(io.BytesIO(client.get(URL + "ekspor.xlsx").content))
    sheet = list(wb.active.values)
    assert list(sheet[0]) == rows[0] and len(sheet) == 4
    assert client.get(URL + "ekspor.csv?tahun=2026").content.decode("utf-8-sig").count("\n") == 1


def test_export_of_a_bnnp_is_its_province_and_a_bnnk_gets_none(client, world, bnnp_other, bnnk_a, bnnp_a):
    client.force_login(bnnp_a)
    assert client.get(URL + "ekspor.csv").content.decode("utf-8-sig").count("\n") == 4
    client.force_login(bnnp_other)
    assert client.get(URL + "ekspor.csv").content.decode("utf-8-sig").count("\n") == 1
    client.force_login(bnnk_a)
    assert client.get(URL + "ekspor.xlsx").status_code == 404


def _extra_plan(regency, year, instrument):
    collection = _verified(regency, make_period(instrument=instrument, regencies=[regency], year=year), {})
    services.agencies_ensure_defaults(regency=regency)
    plan = ActionPlan.objects.create(collection=collection, title="x")
    _item(plan, "KK2", "selesai")


def test_selectors_take_a_constant_number_of_queries(world, regency_b):
    def count():
        with CaptureQueriesContext(connection) as queries:
            selectors.pooled()
            selectors.export_items(selectors.Q(), datetime.date(2026, 1, 1))
        return len(queries)

    before = count()
    assert before == 5
    _extra_plan(regency_b, 2027, world.collection.period.instrument)
    assert count() == before and len(selectors.export_items(selectors.Q(), datetime.date(2026, 1, 1))) == 4


def test_demo_plans_are_idempotent_and_give_an_effect(world, regency_b):
    ActionPlan.objects.all().delete()
    call_command("load_demo_plans", stdout=io.StringIO())
    # 2025 has a later verified period: A and B get a plan; 2026 is the newest, so none.
    plans = ActionPlan.objects.order_by("collection__regency__code")
    assert [p.collection.regency.code for p in plans] == ["3507", "3573"]
    assert {p.collection.period.year for p in plans} == {2025}
    counts = (ActionPlan.objects.count(), ActionItem.objects.count(), ActionItem.history.count())
    assert ActionItem.objects.filter(status="selesai").exists()
    call_command("load_demo_plans", stdout=io.StringIO())
    assert (ActionPlan.objects.count(), ActionItem.objects.count(), ActionItem.history.count()) == counts
    pooled = selectors.pooled()
    assert pooled.plans == 2 and pooled.with_change is not None


def test_plan_page_shows_its_effect_labelled_as_an_association(client, world, bnnk_a, regency_a):
    client.force_login(bnnk_a)
    response = client.get(f"/rencana-aksi/2025/{regency_a.code}/")
    card = response.context["effect_card"]
    assert (card["effect"].year_from, card["effect"].year_to) == (2025, 2026)
    assert (card["effect"].with_change, card["effect"].without_change) == (10.0, 4.0)
    body = response.content.decode()
    assert 'data-testid="plan-effect"' in body and "Asosiasi, bukan bukti sebab-akibat" in body


def test_plan_page_without_a_later_period_says_why(client, world, bnnk_a, regency_a):
    a26 = Collection.objects.get(regency=regency_a, period__year=2026)
    ActionPlan.objects.create(collection=a26, title="2026")
    client.force_login(bnnk_a)
    body = client.get(f"/rencana-aksi/2026/{regency_a.code}/").content.decode()
    assert "Belum ada periode berikutnya yang dinilai." in body


def test_the_next_report_card_shows_the_plans_effect_and_follows_its_items(client, world, bnnk_a, regency_a):
    """The 2026 card of A shows the effect of its 2025 plan (the same figures as the plan page); marking
    another item done changes the card at once: the plan items are in the card's fingerprint."""
    client.force_login(bnnk_a)
    url = f"/laporan/kabkota/{regency_a.code}/?tahun=2026"
    client.get(url)  # the CSRF cookie, which the ETag needs
    response = client.get(url)
    card = response.context["effect_card"]
    assert (card["effect"].year_from, card["effect"].year_to) == (2025, 2026)
    assert (card["effect"].with_change, card["effect"].without_change) == (10.0, 4.0)
    assert 'data-testid="plan-effect"' in response.content.decode()
    etag = response["ETag"]
    item = ActionItem.objects.filter(plan__collection__regency=regency_a).exclude(status="selesai").first()
    assert item is not None
    item.status, item.completed_at = "selesai", timezone.now()
    item.save()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    assert again.context["effect_card"]["effect"].n_with > card["effect"].n_with


def test_a_report_card_without_an_earlier_plan_shows_no_effect(client, world, bnnk_a, regency_a):
    client.force_login(bnnk_a)
    response = client.get(f"/laporan/kabkota/{regency_a.code}/?tahun=2025")
    assert response.context.get("effect_card") is None
    assert 'data-testid="plan-effect"' not in response.content.decode()


def test_a_kab_kota_effect_reads_the_scores_of_its_plans_years_and_later_only(world, regency_a, regency_b):
    p24 = make_period(instrument=world.collection.period.instrument, regencies=[regency_b], year=2024)
    _verified(regency_b, p24, {"KK1": 10.0, "KK2": 10.0, "KL1": 10.0})
    plans, scores = selectors.effect_inputs(selectors.Q(collection__regency=regency_a))
    assert [p.year for p in plans] == [2025]
    assert set(scores[regency_b.code]) == {2025, 2026}  # 2024 was not read
    assert selectors.effect_inputs(selectors.Q(collection__regency=regency_b)) == ([], {})
    assert selectors.effect_reaching(regency_a, 2026).year_to == 2026
