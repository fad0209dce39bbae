"""The progress page: a BNNP's kab/kota list, BNN pusat's per-province summary and drill-down, with
query counts that do not grow with the number of kab/kota."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import workflow
from assessments.models import Collection
from regions.models import Regency
from tests.factories import attach_sk, make_collection, make_period
from tests.factories import complete_questionnaire as _complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return make_period(regencies=[regency_a, regency_b, regency_other], year=2026, deadline_in_days=5)


def _submit(collection, user):
    _complete(collection, user, "keluarga", {"q_likert": "4", "q_yesno": "1"})
    _complete(collection, user, "keluarga", {"q_likert": "2", "q_yesno": "0"})
    qn = _complete(collection, user, "instansi", {"q_likert": "3", "q_number": "7", "q_likert2": "5"})
    attach_sk(collection)
    workflow.collection_submit(collection=collection, user=user)
    return qn


def _rows(response):
    return {r.collection.regency.code: r for r in response.context["rows"]}


def test_bnnp_sees_its_kab_kota_with_numbers(
    client_for, period, regency_a, regency_b, bnnk_a, bnnk_b, bnnp_a, pusat
):
    a = make_collection(regency_a, period)
    qn = _submit(a, bnnk_a)
    workflow.collection_return(
        collection=a,
        user=bnnp_a,
        comments=[
            {"target": "questionnaire", "questionnaire": qn, "text": "Cek angka."},
            {"target": "general", "text": "Lengkapi label."},
        ],
    )
    b = make_collection(regency_b, period)
    _complete(b, bnnk_b, "keluarga", {"q_likert": "4", "q_yesno": "1"})  # 1 of 3 quota places
    until = period.collection_deadline + datetime.timedelta(days=10)
    workflow.deadline_extend(collection=b, user=pusat, until=until, reason="Banjir")

    response = client_for(bnnp_a).get("/survei/progres/", {"tahun": "2026"})
    assert response.status_code == 200
    rows = _rows(response)
    assert set(rows) == {"3573", "3507"}  # not Batanghari (Jambi)
    ra, rb = rows["3573"], rows["3507"]
    assert (ra.collection.state, ra.percent, ra.open_comments, ra.days_left) == ("returned", 100, 2, 5)
    assert (rb.collection.state, rb.percent, rb.open_comments, rb.days_left) == ("draft", 33, 0, 15)
    assert rb.last_activity is not None and timezone.now() - rb.last_activity < datetime.timedelta(minutes=5)
    body = response.content.decode()
    assert "/survei/periode/2026/3573/verifikasi/" in body
    assert "diperpanjang" in body
    assert 'data-testid="extend-form"' not in body  # only BNN pusat extends
    # a reply does not count as another open comment
    workflow.comment_reply(comment=a.comments.first(), user=bnnk_a, text="Siap")
    assert _rows(client_for(bnnp_a).get("/survei/progres/"))["3573"].open_comments == 2


def test_bnnp_cannot_drill_into_another_province(client_for, period, bnnp_a):
    response = client_for(bnnp_a).get("/survei/progres/", {"provinsi": "15"})
    assert set(_rows(response)) == {"3573", "3507"}
    assert response.context["province"].code == "35"


def test_bnnk_is_sent_to_the_survey(client_for, period, bnnk_a):
    response = client_for(bnnk_a).get("/survei/progres/")
    assert response.status_code == 302


def test_pusat_summary_per_province_and_drill_down(client_for, period, regency_a, bnnk_a, bnnp_a, pusat):
    a = make_collection(regency_a, period)
    _submit(a, bnnk_a)
    workflow.collection_verify(collection=a, user=bnnp_a)
    client = client_for(pusat)
    response = client.get("/survei/progres/", {"tahun": "2026"})
    summary = {p["province"].code: p for p in response.context["summary"]}
    assert set(summary) == {"35", "15"}
    jatim = summary["35"]
    assert (jatim["total"], jatim["met"], jatim["met_percent"]) == (2, 1, 50)
    assert jatim["states"]["verified"] == 1 and jatim["states"]["draft"] == 1
    assert summary["15"]["states"]["draft"] == 1
    assert response.context["totals"]["states"]["verified"] == 1

    drill = client.get("/survei/progres/", {"tahun": "2026", "provinsi": "35"})
    assert set(_rows(drill)) == {"3573", "3507"}
    body = drill.content.decode()
    assert body.count('data-testid="extend-form"') == 1  # the draft one, not the verified one
    assert client.get("/survei/progres/", {"provinsi": "99"}).status_code == 404
    assert client.get("/survei/progres/", {"provinsi": "x" * 500}).status_code == 404
    assert client.get("/survei/progres/", {"tahun": "abc"}).status_code == 200


def test_progress_queries_do_not_grow_with_kab_kota(
    client_for, period, bnnp_a, pusat, django_assert_num_queries
):
    for user in (bnnp_a, pusat):
        client = client_for(user)
        client.get("/survei/progres/")  # creates the collections once
        with CaptureQueriesContext(connection) as few:
            client.get("/survei/progres/")
        baseline = len(few)
        assert baseline <= 12
        period.participants.add(*Regency.objects.filter(province__code__in=["35", "15"]))
        client.get("/survei/progres/")
        with django_assert_num_queries(baseline):
            response = client.get("/survei/progres/")
        n = Regency.objects.filter(province__code="35").count()
        if user is bnnp_a:
            assert len(response.context["rows"]) == n == 38
        else:
            assert len(response.context["rows"]) == Collection.objects.filter(period=period).count() > 40
        period.participants.set(period.participants.filter(code__in=["3573", "3507", "1504"]))


def test_nav_and_home_cards_link_progress(client_for, period, bnnp_a, pusat, bnnk_a):
    for user in (bnnp_a, pusat):
        body = client_for(user).get("/").content.decode()
        assert body.count('href="/survei/progres/"') == 2  # nav + home card
    assert 'href="/survei/progres/"' not in client_for(bnnk_a).get("/").content.decode()
