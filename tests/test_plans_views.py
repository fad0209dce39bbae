"""The action plan pages (plans.views): the BNNK builds its plan from the verified report card (suggestions
accepted into items, bad input refused in Indonesian with nothing saved), another kab/kota is a 404, its
BNNP and BNN pusat read without any way to change it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Collection
from instruments.models import Indicator
from plans.models import ActionItem, ActionPlan, Agency
from tests.factories import attach_sk, make_collection, make_period, make_score

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def verified(regency_a):
    period = make_period(regencies=[regency_a], year=YEAR)
    collection = make_collection(regency_a, period)
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.VERIFIED)
    collection.refresh_from_db()
    make_score(collection, 60.0, {"KK": 70.0, "KL": 50.0}, indicators={"KK1": 80.0, "KK2": 30.0, "KL1": 55.0})
    return collection


def url(regency, tail=""):
    return f"/rencana-aksi/{YEAR}/{regency.code}/{tail}"


def _item_form(collection, **over):
    data = {
        "indicators": [
            Indicator.objects.get(variable__instrument=collection.period.instrument, code="KK2").pk
        ],
        "strategy": "pengembangan_kapasitas",
        "agency": Agency.objects.get(regency=collection.regency, name="Dinas Pendidikan").pk,
        "activity": "Pelatihan konselor keluarga",
        "expected_output": "40 konselor terlatih",
        "target_date": f"{YEAR + 1}-05-31",
        "budget": "25000000",
        "budget_source": "APBD",
    }
    data.update(over)
    return data


def test_report_card_links_to_the_plan_once_verified(client, verified, bnnk_a, regency_a):
    client.force_login(bnnk_a)
    body = client.get(f"/laporan/kabkota/{regency_a.code}/?tahun={YEAR}").content.decode()
    assert 'data-testid="plan-link"' in body and url(regency_a) in body and "Susun rencana aksi" in body


def test_report_card_without_the_link_before_verification(client, regency_a, bnnk_a):
    collection = make_collection(regency_a, make_period(regencies=[regency_a], year=YEAR))
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.SUBMITTED)
    make_score(collection, 60.0, {"KK": 70.0})
    client.force_login(bnnk_a)
    body = client.get(f"/laporan/kabkota/{regency_a.code}/?tahun={YEAR}").content.decode()
    assert 'data-testid="plan-link"' not in body


def test_bnnk_builds_its_plan_from_the_suggestions(client, verified, bnnk_a, regency_a):
    client.force_login(bnnk_a)
    page = client.get(url(regency_a))
    assert page.status_code == 200 and "Susun rencana aksi" in page.content.decode()
    assert not ActionPlan.objects.exists()  # a visit makes nothing

    client.post(url(regency_a, "susun/"), {"title": ""})
    plan = ActionPlan.objects.get(collection=verified)
    body = client.get(url(regency_a)).content.decode()
    # The weakest stored indicator (KK2, 30) is proposed first, with an accept link carrying it.
    kk2 = Indicator.objects.get(variable__instrument=verified.period.instrument, code="KK2")
    assert 'data-testid="suggestion"' in body and "KK2" in body
    accept = f"butir/baru/?indikator={kk2.pk}&amp;strategi=pengembangan_kapasitas"
    assert accept in body

    form = client.get(url(regency_a, f"butir/baru/?indikator={kk2.pk}&strategi=pengembangan_kapasitas"))
    assert form.status_code == 200
    assert f'value="{kk2.pk}" selected' in form.content.decode()

    response = client.post(url(regency_a, "butir/baru/"), _item_form(verified))
    assert response.status_code == 302
    item = plan.items.get()
    assert item.activity == "Pelatihan konselor keluarga" and [i.code for i in item.indicators.all()] == [
        "KK2"
    ]
    body = client.get(url(regency_a)).content.decode()
    assert "Pelatihan konselor keluarga" in body
    # Accepted: KK2 is no longer proposed.
    assert f"indikator={kk2.pk}&amp;" not in body


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"budget": "-5"}, "Anggaran tidak boleh negatif."),
        ({"target_date": "31/31/2027"}, "Tanggal tidak valid"),
        ({"target_date": "2020-01-01"}, "Target selesai tidak boleh sebelum tahun periode"),
        ({"indicators": ["999999"]}, "Indikator tidak dikenal untuk periode ini."),
        ({"indicators": ["abc"]}, "Indikator tidak dikenal untuk periode ini."),
        ({"strategy": "lain"}, "Strategi tidak dikenal."),
    ],
)
def test_bad_item_input_is_refused_in_indonesian_and_nothing_saved(
    client, verified, bnnk_a, regency_a, over, words
):
    client.force_login(bnnk_a)
    client.post(url(regency_a, "susun/"))
    response = client.post(url(regency_a, "butir/baru/"), _item_form(verified, **over))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ActionItem.objects.exists()


def test_status_edit_and_drop(client, verified, bnnk_a, regency_a):
    client.force_login(bnnk_a)
    client.post(url(regency_a, "susun/"))
    client.post(url(regency_a, "butir/baru/"), _item_form(verified))
    item = ActionItem.objects.get()
    client.post(url(regency_a, f"butir/{item.pk}/status/"), {"status": "selesai"})
    item.refresh_from_db()
    assert item.status == "selesai" and item.completed_at is not None
    response = client.post(url(regency_a, f"butir/{item.pk}/status/"), {"status": "hilang"}, follow=True)
    assert "Status tidak dikenal." in response.content.decode()
    client.post(url(regency_a, f"butir/{item.pk}/ubah/"), _item_form(verified, activity="Pelatihan kedua"))
    item.refresh_from_db()
    assert item.activity == "Pelatihan kedua"
    client.post(url(regency_a, f"butir/{item.pk}/hapus/"))
    assert not ActionItem.objects.exists() and ActionItem.history.filter(id=item.pk).exists()


def test_plan_refused_before_verification_says_why(client, regency_a, bnnk_a):
    collection = make_collection(regency_a, make_period(regencies=[regency_a], year=YEAR))
    client.force_login(bnnk_a)
    response = client.post(url(regency_a, "susun/"), follow=True)
    assert "setelah skor IKOTAN kab/kota ini diverifikasi BNNP" in response.content.decode()
    assert not ActionPlan.objects.filter(collection=collection).exists()


def test_scope_another_regency_404_bnnp_and_pusat_read_only(
    client, verified, bnnk_a, bnnk_b, bnnp_a, bnnp_other, pusat, regency_a
):
    client.force_login(bnnk_a)
    client.post(url(regency_a, "susun/"))
    client.post(url(regency_a, "butir/baru/"), _item_form(verified))
    item = ActionItem.objects.get()
    for outsider in (bnnk_b, bnnp_other):
        client.force_login(outsider)
        assert client.get(url(regency_a)).status_code == 404
        assert client.post(url(regency_a, f"butir/{item.pk}/status/"), {"status": "batal"}).status_code == 404
    for reader in (bnnp_a, pusat):
        client.force_login(reader)
        body = client.get(url(regency_a)).content.decode()
        assert "Pelatihan konselor keluarga" in body
        assert (
            "Tambah butir" not in body
            and "Ubah status" not in body
            and 'data-testid="suggestion"' not in body
        )
        response = client.post(url(regency_a, f"butir/{item.pk}/status/"), {"status": "batal"}, follow=True)
        assert "Hanya BNNK kab/kota ini" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "direncanakan"


def test_overdue_item_flagged(client, verified, bnnk_a, regency_a):
    client.force_login(bnnk_a)
    client.post(url(regency_a, "susun/"))
    client.post(url(regency_a, "butir/baru/"), _item_form(verified))
    ActionItem.objects.update(target_date=datetime.date(YEAR, 1, 1))
    assert 'data-testid="overdue"' in client.get(url(regency_a)).content.decode()
    ActionItem.objects.update(
        status="selesai", completed_at=datetime.datetime(YEAR, 1, 2, tzinfo=datetime.UTC)
    )
    assert 'data-testid="overdue"' not in client.get(url(regency_a)).content.decode()


def test_plan_page_in_english(client, verified, bnnk_a, regency_a):
    client.force_login(bnnk_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(url(regency_a)).content.decode()
    assert "Draw up the action plan" in body and "Susun rencana aksi" not in body


def test_rad_document_linked_from_the_collections_evidence(client, verified, bnnk_a, regency_a, regency_b):
    own = attach_sk(verified)
    foreign = attach_sk(make_collection(regency_b, verified.period))
    client.force_login(bnnk_a)
    client.post(url(regency_a, "susun/"))
    assert f'<option value="{own.pk}"' in client.get(url(regency_a)).content.decode()
    client.post(url(regency_a, "dokumen/"), {"evidence": own.pk})
    assert ActionPlan.objects.get().rad_document == own
    for bad, words in (
        (foreign.pk, "bukti dukung kab/kota dan periode yang sama"),
        ("x1", "tidak ditemukan"),
    ):
        response = client.post(url(regency_a, "dokumen/"), {"evidence": bad}, follow=True)
        assert words in response.content.decode()
        assert ActionPlan.objects.get().rad_document == own
    client.post(url(regency_a, "dokumen/"), {"evidence": ""})
    assert ActionPlan.objects.get().rad_document is None


def _page_queries(client, regency) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(regency)).status_code == 200
    return len(queries)


def test_plan_page_queries_do_not_grow_with_items(client, verified, bnnk_a, regency_a):
    client.force_login(bnnk_a)
    client.post(url(regency_a, "susun/"))
    client.post(url(regency_a, "butir/baru/"), _item_form(verified))
    one = _page_queries(client, regency_a)
    for n in range(5):
        client.post(url(regency_a, "butir/baru/"), _item_form(verified, activity=f"Kegiatan {n}"))
    assert ActionItem.objects.count() == 6
    assert _page_queries(client, regency_a) == one


def test_agency_of_another_regency_cannot_be_renamed_through_this_plan(
    client, verified, bnnk_a, regency_a, regency_b
):
    client.force_login(bnnk_a)
    client.post(url(regency_a, "susun/"))
    theirs = Agency.objects.create(regency=regency_b, name="Dinas Lain")
    assert client.post(url(regency_a, f"instansi/{theirs.pk}/ubah/"), {"name": "Diambil"}).status_code == 404
    ours = Agency.objects.get(regency=regency_a, name="Satpol PP")
    response = client.post(url(regency_a, f"instansi/{ours.pk}/ubah/"), {"name": "  "}, follow=True)
    assert "Nama instansi/OPD wajib diisi." in response.content.decode()
    client.post(url(regency_a, f"instansi/{ours.pk}/ubah/"), {"name": "Satpol PP dan Damkar"})
    assert Agency.objects.get(pk=ours.pk).name == "Satpol PP dan Damkar"
    assert Agency.objects.get(pk=theirs.pk).name == "Dinas Lain"
