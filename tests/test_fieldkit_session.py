"""The field kit's session call (lapangan/sesi.json, issue 15): who is signed in, a CSRF token, and the
collections the BNNK may work on offline (newest year first, no synthetic demo period); other roles get
none; signed out is a 401 JSON, never a redirect."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Collection, Period
from tests.factories import make_collection

pytestmark = pytest.mark.django_db

URL = "/survei/lapangan/sesi.json"


def test_the_url_is_the_contracts():
    assert reverse("assessments:fieldkit_session") == URL


def test_a_bnnk_gets_its_collections_newest_first(client_for, bnnk_a, regency_a, regency_b):
    older = make_collection(regency_a, opens_days_ago=400, deadline_in_days=-300)
    newer = make_collection(regency_a)
    make_collection(regency_b, newer.period)  # another kab/kota's: not listed
    demo = make_collection(regency_a)
    Period.objects.filter(pk=demo.period_id).update(is_synthetic=True)
    Collection.objects.filter(pk=newer.pk).update(state=Collection.State.DRAFT)
    bnnk_a.first_name = "Budi"
    bnnk_a.save()

    response = client_for(bnnk_a).get(URL)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["user"] == {"id": bnnk_a.pk, "username": "bnnk_a", "name": "Budi"}
    assert len(data["csrf"]) >= 32
    years = [c["year"] for c in data["collections"]]
    assert years == sorted([older.period.year, newer.period.year], reverse=True)
    current = next(c for c in data["collections"] if c["year"] == newer.period.year)
    base = f"/survei/periode/{newer.period.year}/3573/lapangan/"
    assert current == {
        "key": f"{newer.period.year}/3573",
        "year": newer.period.year,
        "period_name": newer.period.name,
        "regency_code": "3573",
        "regency_name": regency_a.name,
        "entry_open": True,
        "entry_closed_reason": "",
        "valid_until": newer.period.collection_deadline.isoformat(),
        "package_url": base + "paket.json",
        "sync_url": base + "sinkron.json",
        "photo_url": base + "foto.json",
        "export_url": base + "antrean.xlsx",
    }
    past = next(c for c in data["collections"] if c["year"] == older.period.year)
    assert past["entry_open"] is False and "telah lewat" in past["entry_closed_reason"]


@pytest.mark.parametrize("role", ["bnnp_a", "pusat"])
def test_roles_that_do_not_enter_data_get_no_collections(request, client_for, regency_a, role):
    make_collection(regency_a)
    response = client_for(request.getfixturevalue(role)).get(URL)
    assert response.status_code == 200
    assert response.json()["collections"] == []


def test_signed_out_is_a_401_json(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "error": "login",
        "status": "refused",
        "code": "login",
        "message": "Sesi Anda berakhir. Masuk lagi; antrean di perangkat ini tetap tersimpan.",
        "login_url": "/akun/login/?next=/survei/lapangan/",
    }


def test_post_is_not_allowed(client_for, bnnk_a):
    assert client_for(bnnk_a).post(URL).status_code == 405


def test_messages_follow_the_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    message = client.get(URL).json()["message"]
    assert message == "Your session has ended. Log in again; the queue on this device is kept."
