"""The field-kit package (issue 15, "Siapkan untuk lapangan"): what the BNNK of a kab/kota downloads to
work offline (instrument, quota progress, its draft questionnaires with each answer's version), who may
download it, a closed collection's package, and a query count that does not grow with the data."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from assessments import services
from assessments.autosave import writes
from assessments.models import Collection
from instruments.models import Option, Question
from tests.conftest import make_user
from tests.factories import complete_questionnaire, group, make_collection, question
from tests.fieldkit_support import endpoint, item, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(regency_a, regency_b) -> Collection:
    coll = make_collection(regency_a)
    make_collection(regency_b, coll.period)
    return coll


def url(collection: Collection, regency_code: str | None = None) -> str:
    return reverse(
        "assessments:fieldkit_package", args=[collection.period.year, regency_code or collection.regency.code]
    )


def draft(collection, user, group_code="keluarga", answers=None, label=""):
    inst = collection.period.instrument
    q = services.questionnaire_create(
        collection=collection, group=group(inst, group_code), user=user, label=label
    )
    for code, raw in (answers or {}).items():
        writes.questionnaire_save_answer(
            questionnaire=q, question=question(inst, code), raw_value=raw, base_version=0, user=user
        )
    return q


def test_bnnk_gets_its_package(client_for, bnnk_a, collection):
    inst = collection.period.instrument
    collection.deadline_extended_to = collection.period.collection_deadline + datetime.timedelta(days=5)
    collection.save()
    complete_questionnaire(
        collection, bnnk_a, "instansi", {"q_likert": "4", "q_number": "3", "q_likert2": "5"}
    )
    mine = draft(collection, bnnk_a, answers={"q_likert": "3", "q_yesno": "1"}, label="RT 01")
    writes.questionnaire_save_answer(
        questionnaire=mine, question=question(inst, "q_likert"), raw_value="2", base_version=1, user=bnnk_a
    )

    response = client_for(bnnk_a).get(url(collection))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["version"] == 1
    assert data["generated_at"]
    assert data["valid_until"] == collection.deadline_extended_to.isoformat()
    assert data["user"] == {"id": bnnk_a.pk}
    base = f"/survei/periode/{collection.period.year}/3573/lapangan/"
    assert data["sync_url"] == base + "sinkron.json"
    assert data["photo_url"] == base + "foto.json"
    assert data["export_url"] == base + "antrean.xlsx"
    assert data["evidence_max_bytes"] == settings.EVIDENCE_MAX_BYTES
    assert data["entry_open"] is True and data["entry_closed_reason"] == ""
    assert data["period"] == {"year": collection.period.year, "name": collection.period.name}
    assert data["regency"] == {"code": "3573", "name": collection.regency.name}
    groups = {g["code"]: g for g in data["groups"]}
    assert [g["code"] for g in data["groups"]] == ["keluarga", "instansi"]
    assert (groups["keluarga"]["quota"], groups["keluarga"]["complete"]) == (2, 0)
    assert (groups["instansi"]["quota"], groups["instansi"]["complete"]) == (1, 1)
    assert [q["code"] for q in groups["keluarga"]["questions"]] == ["q_likert", "q_yesno", "q_choice"]
    assert [q["code"] for q in groups["instansi"]["questions"]] == ["q_likert", "q_number", "q_likert2"]
    yesno = groups["keluarga"]["questions"][1]
    assert yesno["kind"] == "yesno" and yesno["required"] is True and yesno["text"] == "Pertanyaan q_yesno?"
    assert yesno["options"] == [{"value": 1.0, "label": "Ya"}, {"value": 0.0, "label": "Tidak"}]
    assert "thresholds" not in yesno
    assert groups["keluarga"]["questions"][2]["required"] is False
    number = groups["instansi"]["questions"][1]
    assert number["thresholds"] == [0.0, 1.0, 5.0]
    assert [o["label"] for o in number["options"]] == ["0", "1–4", "5 atau lebih"]
    # Only the open draft, with each answer's current version (the base a later sync sends).
    assert len(data["drafts"]) == 1
    only = data["drafts"][0]
    assert (only["id"], only["group"], only["label"]) == (mine.pk, "keluarga", "RT 01")
    assert only["uuid"] is None  # made online: the client gives it a uuid at its first sync
    answers = {a["code"]: (a["value"], a["version"]) for a in only["answers"]}
    assert answers == {"q_likert": (2.0, 2), "q_yesno": (1.0, 1)}


def test_help_text_is_sent(client_for, bnnk_a, collection):
    Question.objects.filter(instrument=collection.period.instrument, code="q_yesno").update(
        help_text="Lihat SK bupati."
    )
    data = client_for(bnnk_a).get(url(collection)).json()
    keluarga = next(g for g in data["groups"] if g["code"] == "keluarga")
    assert next(q for q in keluarga["questions"] if q["code"] == "q_yesno")["help"] == "Lihat SK bupati."


def test_drafts_of_other_staff_are_not_included(client_for, bnnk_a, collection):
    colleague = make_user("bnnk_a2", Role.BNNK, regency=collection.regency)
    draft(collection, colleague, answers={"q_likert": "3"})
    data = client_for(bnnk_a).get(url(collection)).json()
    assert data["drafts"] == []


def test_other_regency_bnnk_gets_404(client_for, bnnk_b, collection):
    assert client_for(bnnk_b).get(url(collection)).status_code == 404


@pytest.mark.parametrize("role", ["bnnp_a", "pusat"])
def test_roles_that_do_not_enter_data_are_refused(request, client_for, collection, role):
    user = request.getfixturevalue(role)
    assert client_for(user).get(url(collection)).status_code == 403


def test_anonymous_gets_a_401_json_not_a_redirect(client, collection):
    # An offline client's fetch must not follow a redirect to the login page (it would read HTML).
    response = client.get(url(collection))
    assert response.status_code == 401
    data = response.json()
    assert data["error"] == "login"
    assert data["login_url"] == resolve_url(settings.LOGIN_URL) + "?next=/survei/lapangan/"
    assert "antrean" in data["message"]


def test_post_is_not_allowed(client_for, bnnk_a, collection):
    assert client_for(bnnk_a).post(url(collection)).status_code == 405


def test_submitted_collection_is_readable_but_closed(client_for, bnnk_a, collection):
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.SUBMITTED)
    response = client_for(bnnk_a).get(url(collection))
    assert response.status_code == 200
    data = response.json()
    assert data["entry_open"] is False
    assert "tidak dapat diubah" in data["entry_closed_reason"]


def test_past_deadline_is_closed_with_the_reason(client_for, bnnk_a, regency_a):
    coll = make_collection(regency_a, opens_days_ago=30, deadline_in_days=-2)
    data = client_for(bnnk_a).get(url(coll)).json()
    assert data["entry_open"] is False
    assert "telah lewat" in data["entry_closed_reason"]
    assert data["valid_until"] == coll.period.collection_deadline.isoformat()


def _queries(client, target) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(target).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_questionnaires_or_questions(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    draft(collection, bnnk_a, answers={"q_likert": "3"})
    before = _queries(client, url(collection))
    for i in range(4):
        draft(collection, bnnk_a, answers={"q_likert": "3", "q_yesno": "0", "q_choice": "2"}, label=f"RT {i}")
    draft(collection, bnnk_a, "instansi", answers={"q_number": "7"})
    inst = collection.period.instrument
    extra = Question.objects.create(
        instrument=inst,
        indicator=question(inst, "q_likert").indicator,
        code="q_extra",
        text="Tambahan?",
        order=9,
    )
    extra.groups.set([group(inst, "keluarga")])
    Option.objects.create(question=extra, value=1, label="Ya", score=1, order=1)
    after = _queries(client, url(collection))
    assert after == before
    assert len(client.get(url(collection)).json()["drafts"]) == 6


def test_a_draft_synced_from_the_field_carries_its_uuid(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    body = item(collection, {"q_likert": "3"})
    assert post_json(client, endpoint("sync", collection), body).status_code == 200
    (offered,) = client.get(url(collection)).json()["drafts"]
    assert offered["uuid"] == body["uuid"]
    assert [(a["code"], a["version"]) for a in offered["answers"]] == [("q_likert", 1)]
