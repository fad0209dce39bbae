"""The autosave endpoint: JSON {ok, version, saved_at, message} with 400/401/403/404/409, never a 500."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from assessments import services
from assessments.autosave import writes
from assessments.models import Answer, Collection, Period, Questionnaire
from tests.conftest import make_user
from tests.factories import group, make_collection, make_instrument, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(regency_a):
    return make_collection(regency_a)


@pytest.fixture
def inst(collection):
    return collection.period.instrument


@pytest.fixture
def qn(collection, inst, bnnk_a):
    return services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)


def post(client, qn, question_id, value, base_version=0, **extra):
    data = {"question": question_id, "value": value, "base_version": base_version, **extra}
    return client.post(f"/survei/kuesioner/{qn.pk}/jawaban/", data)


def test_happy_path_saves_and_returns_version_and_time(client_for, bnnk_a, qn, inst):
    client = client_for(bnnk_a)
    response = post(client, qn, question(inst, "q_likert").pk, "4")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["version"] == 1
    assert data["value"] == "4"
    assert re.fullmatch(r"\d\d:\d\d", data["saved_at"])
    assert data["message"] == f"tersimpan {data['saved_at']}"
    data = post(client, qn, question(inst, "q_likert").pk, "5", base_version=1).json()
    assert data["version"] == 2
    assert Answer.objects.get(questionnaire=qn).value == 5.0


def test_empty_value_clears_the_answer(client_for, bnnk_a, qn, inst):
    client = client_for(bnnk_a)
    post(client, qn, question(inst, "q_choice").pk, "2")
    data = post(client, qn, question(inst, "q_choice").pk, "", base_version=1).json()
    assert (data["ok"], data["version"]) == (True, 0)
    assert not Answer.objects.filter(questionnaire=qn).exists()


def test_csrf_token_is_required_and_works(bnnk_a, qn, inst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bnnk_a)
    url = f"/survei/kuesioner/{qn.pk}/jawaban/"
    data = {"question": question(inst, "q_likert").pk, "value": "3", "base_version": 0}
    assert client.post(url, data).status_code == 403
    assert not Answer.objects.exists()
    page = client.get(f"/survei/kuesioner/{qn.pk}/")
    token = page.context["csrf_token"]
    response = client.post(url, data, headers={"X-CSRFToken": str(token)})
    assert response.status_code == 200
    assert Answer.objects.get().value == 3.0


def test_out_of_range_is_400_in_indonesian_and_nothing_changes(client_for, bnnk_a, qn, inst):
    client = client_for(bnnk_a)
    post(client, qn, question(inst, "q_likert").pk, "4")
    response = post(client, qn, question(inst, "q_likert").pk, "7", base_version=1)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert "di luar pilihan yang tersedia" in response.json()["message"]
    answer = Answer.objects.get(questionnaire=qn)
    assert (answer.value, answer.version) == (4.0, 1)


def test_question_not_of_the_group_is_400(client_for, bnnk_a, qn, inst):
    response = post(client_for(bnnk_a), qn, question(inst, "q_number").pk, "3")
    assert response.status_code == 400
    assert "tidak ditanyakan kepada kelompok Keluarga" in response.json()["message"]
    assert not Answer.objects.exists()


def test_question_of_another_instrument_is_400(client_for, bnnk_a, qn):
    other = make_instrument()
    response = post(client_for(bnnk_a), qn, question(other, "q_likert").pk, "3")
    assert response.status_code == 400
    assert "bukan bagian dari instrumen periode ini" in response.json()["message"]


def test_conflict_is_409_with_newer_value_and_author(client_for, bnnk_a, qn, inst, regency_a):
    colleague = make_user("rekan", "bnnk", regency=regency_a, first_name="Siti", last_name="Rahma")
    q = question(inst, "q_likert")
    post(client_for(bnnk_a), qn, q.pk, "2")
    writes.questionnaire_save_answer(
        questionnaire=qn, question=q, raw_value="5", base_version=1, user=colleague
    )
    response = post(client_for(bnnk_a), qn, q.pk, "3", base_version=1)
    assert response.status_code == 409
    data = response.json()
    assert data["ok"] is False
    assert "Siti Rahma" in data["message"]
    assert data["conflict"]["value"] == "5"
    assert data["conflict"]["label"] == "5 – Sangat setuju"
    assert data["conflict"]["version"] == 2
    assert data["conflict"]["by"] == "Siti Rahma"
    assert Answer.objects.get().value == 5.0
    # "keep mine": resubmit on top of the newer version
    data = post(client_for(bnnk_a), qn, q.pk, "3", base_version=2).json()
    assert (data["ok"], data["version"]) == (True, 3)


def test_foreign_questionnaire_is_404(client_for, bnnk_b, bnnp_other, qn, inst):
    for user in (bnnk_b, bnnp_other):
        response = post(client_for(user), qn, question(inst, "q_likert").pk, "3")
        assert response.status_code == 404
        assert response.json()["message"] == "Kuesioner tidak ditemukan."
    assert not Answer.objects.exists()


def test_bnnp_of_the_province_may_not_save(client_for, bnnp_a, qn, inst):
    response = post(client_for(bnnp_a), qn, question(inst, "q_likert").pk, "3")
    assert response.status_code == 403
    assert "Hanya petugas BNNK" in response.json()["message"]


def test_save_after_submit_is_403(client_for, bnnk_a, qn, inst, collection):
    post(client_for(bnnk_a), qn, question(inst, "q_likert").pk, "3")
    Collection.objects.filter(pk=collection.pk).update(state="submitted")
    response = post(client_for(bnnk_a), qn, question(inst, "q_likert").pk, "5", base_version=1)
    assert response.status_code == 403
    assert "Dikirim" in response.json()["message"]
    assert Answer.objects.get().value == 3.0


def test_save_after_deadline_is_403(client_for, bnnk_a, qn, inst, collection):
    Period.objects.filter(pk=collection.period_id).update(
        collection_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = post(client_for(bnnk_a), qn, question(inst, "q_likert").pk, "5")
    assert response.status_code == 403
    assert "telah lewat" in response.json()["message"]
    assert not Answer.objects.exists()


def test_excluded_questionnaire_is_403(client_for, bnnk_a, qn, inst):
    Questionnaire.objects.filter(pk=qn.pk).update(state="excluded", excluded_reason="ganda")
    response = post(client_for(bnnk_a), qn, question(inst, "q_likert").pk, "5")
    assert response.status_code == 403
    assert "dikecualikan" in response.json()["message"]


def test_anonymous_gets_401_json_not_a_login_page(client, qn, inst):
    response = post(client, qn, question(inst, "q_likert").pk, "5")
    assert response.status_code == 401
    assert "Sesi Anda telah berakhir" in response.json()["message"]


def test_get_is_405(client_for, bnnk_a, qn):
    assert client_for(bnnk_a).get(f"/survei/kuesioner/{qn.pk}/jawaban/").status_code == 405


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"question": "abc", "value": "3"},
        {"question": "-1", "value": "3"},
        {"question": "9" * 40, "value": "3"},
        {"question": "99999999", "value": "3"},
        {"question": "Q", "value": "3", "base_version": "x"},
        {"question": "Q", "value": "3", "base_version": "9" * 5000},
        {"question": "Q", "value": "3", "base_version": "-4"},
        {"question": "Q", "value": "x" * 100_000},
        {"question": "Q", "value": "9" * 90},
        {"question": "Q", "value": "\x00"},
        {"question": "Q", "value": "nan"},
        {"question": "Q", "value": "3", "base_version": "7"},
    ],
)
def test_garbage_never_500(client_for, bnnk_a, qn, inst, data):
    data = {k: (question(inst, "q_likert").pk if v == "Q" else v) for k, v in data.items()}
    response = client_for(bnnk_a).post(f"/survei/kuesioner/{qn.pk}/jawaban/", data)
    assert response.status_code in (400, 409)
    body = response.json()
    assert body["ok"] is False and body["message"]
    assert not Answer.objects.exists()


def test_huge_questionnaire_id_in_url_is_404(client_for, bnnk_a):
    response = client_for(bnnk_a).post("/survei/kuesioner/99999999999999999999999/jawaban/", {"question": 1})
    assert response.status_code == 404


def test_number_question_accepts_comma_decimal(client_for, bnnk_a, collection, inst):
    qn = services.questionnaire_create(collection=collection, group=group(inst, "instansi"), user=bnnk_a)
    data = post(client_for(bnnk_a), qn, question(inst, "q_number").pk, "2,5").json()
    assert (data["ok"], data["value"]) == (True, "2.5")
    response = post(client_for(bnnk_a), qn, question(inst, "q_number").pk, "-1", base_version=1)
    assert response.status_code == 400
    assert "Angka harus antara 0" in response.json()["message"]
