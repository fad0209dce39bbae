"""The field kit's sync (issue 15): one queued questionnaire POSTed to lapangan/sinkron.json is created once
with its answers, their history and its completion; a replay or a retry creates nothing twice; a conflict
with an online edit, an invalid value, a closed collection, another kab/kota, another role and a signed-out
call each answer as the contract says; and a sync's query count is bounded."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from assessments import services
from assessments.autosave import writes
from assessments.fieldkit import sync as fieldkit_sync
from assessments.models import Answer, Collection, Questionnaire, ReviewComment
from instruments.models import Option, Question
from tests.conftest import make_user
from tests.factories import group, likert_options, make_collection, question
from tests.fieldkit_support import endpoint, item, post_json, qid

pytestmark = pytest.mark.django_db

FULL = {"q_likert": "3", "q_yesno": "1", "q_choice": "2"}


@pytest.fixture
def collection(regency_a, regency_b) -> Collection:
    coll = make_collection(regency_a)
    make_collection(regency_b, coll.period)
    return coll


def sync(client, collection, body):
    return post_json(client, endpoint("sync", collection), body)


def counts() -> dict:
    return {
        "questionnaires": Questionnaire.objects.count(),
        "questionnaire_history": Questionnaire.history.count(),
        "answers": Answer.objects.count(),
        "answer_history": Answer.history.count(),
    }


def by_question(collection, data) -> dict:
    codes = {qid(collection, c): c for c in ("q_likert", "q_yesno", "q_choice", "q_number", "q_likert2")}
    return {codes[a["question"]]: a for a in data["answers"]}


def test_a_new_questionnaire_is_created_with_its_answers_history_and_completion(
    client_for, bnnk_a, collection
):
    body = item(collection, FULL, complete=True, label="RT 07", village="Dinoyo")

    response = sync(client_for(bnnk_a), collection, body)

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["status"] == "ok"
    assert data["complete"]["status"] == "done"
    assert {a["status"] for a in data["answers"]} == {"saved"}
    assert {a["version"] for a in data["answers"]} == {1}
    made = Questionnaire.objects.get()
    assert data["questionnaire"] == {
        "id": made.pk,
        "uuid": body["uuid"],
        "state": "complete",
        "created": True,
    }
    assert str(made.client_uuid) == body["uuid"]
    assert (made.label, made.village, made.filled_on.isoformat()) == ("RT 07", "Dinoyo", body["filled_on"])
    assert (made.group.code, made.method, made.entered_by) == ("keluarga", "staff", bnnk_a)
    assert made.state == Questionnaire.State.COMPLETE and made.completed_at is not None
    stored = {a.question.code: (a.value, a.version, a.updated_by_id) for a in made.answers.all()}
    assert stored == {
        "q_likert": (3.0, 1, bnnk_a.pk),
        "q_yesno": (1.0, 1, bnnk_a.pk),
        "q_choice": (2.0, 1, bnnk_a.pk),
    }
    # Each answer has its history row, as an online save writes it.
    history = Answer.history.filter(questionnaire_id=made.pk)
    assert sorted(history.values_list("history_type", "value", "history_user_id")) == [
        ("+", 1.0, bnnk_a.pk),
        ("+", 2.0, bnnk_a.pk),
        ("+", 3.0, bnnk_a.pk),
    ]
    assert made.history.count() == 2  # created, then completed


def test_a_replay_writes_nothing_and_says_unchanged(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    body = item(collection, FULL, complete=True)
    assert sync(client, collection, body).status_code == 200
    before, updated_at = counts(), Questionnaire.objects.get().updated_at

    response = sync(client, collection, body)

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["questionnaire"]["created"] is False
    assert [a["status"] for a in data["answers"]] == ["unchanged"] * 3
    assert [a["version"] for a in data["answers"]] == [1, 1, 1]
    assert data["complete"]["status"] == "already"
    assert counts() == before
    assert Questionnaire.objects.get().updated_at == updated_at


def test_a_retry_after_an_unseen_commit_is_unchanged_and_duplicates_nothing(client_for, bnnk_a, collection):
    """The server committed the first send but the answer never reached the client (network cut): the
    client sends the same questionnaire again with the same base versions and one more answer."""
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    assert sync(client, collection, item(collection, {"q_likert": "3"}, uid=uid)).status_code == 200
    before = counts()

    again = item(collection, {"q_likert": "3", "q_yesno": "0"}, uid=uid, complete=True)
    response = sync(client, collection, again)

    assert response.status_code == 200
    answers = by_question(collection, response.json())
    assert (answers["q_likert"]["status"], answers["q_likert"]["version"]) == ("unchanged", 1)
    assert (answers["q_yesno"]["status"], answers["q_yesno"]["version"]) == ("saved", 1)
    assert response.json()["complete"]["status"] == "done"
    after = counts()
    assert after["questionnaires"] == before["questionnaires"] == 1
    assert after["answers"] == before["answers"] + 1
    assert after["answer_history"] == before["answer_history"] + 1
    likert = Answer.objects.get(question__code="q_likert")
    assert (likert.value, likert.version) == (3.0, 1)


def test_a_conflict_with_an_online_edit_keeps_the_online_value(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    assert sync(client, collection, item(collection, {"q_likert": "3"}, uid=uid)).status_code == 200
    made = Questionnaire.objects.get()
    colleague = make_user("bnnk_a2", Role.BNNK, regency=collection.regency, first_name="Sari")
    writes.questionnaire_save_answer(
        questionnaire=made,
        question=question(collection.period.instrument, "q_likert"),
        raw_value="5",
        base_version=1,
        user=colleague,
    )

    # Offline, the officer changed the same answer from version 1, and answered another question.
    body = item(collection, {"q_likert": ("4", 1), "q_yesno": "1"}, uid=uid, complete=True)
    response = sync(client, collection, body)

    assert response.status_code == 409
    data = response.json()
    assert data["status"] == "conflict"
    answers = by_question(collection, data)
    conflict = answers["q_likert"]
    assert conflict["status"] == "conflict"
    assert (conflict["current_value"], conflict["current_version"]) == (5.0, 2)
    assert conflict["changed_by"] == "Sari" and conflict["changed_at"]
    assert answers["q_yesno"]["status"] == "saved"
    assert data["complete"]["status"] == "skipped"
    stored = {a.question.code: (a.value, a.version) for a in made.answers.all()}
    assert stored == {"q_likert": (5.0, 2), "q_yesno": (1.0, 1)}
    made.refresh_from_db()
    assert made.state == Questionnaire.State.DRAFT


def test_an_invalid_value_is_refused_and_the_rest_saved(client_for, bnnk_a, collection):
    body = item(collection, {"q_likert": "9", "q_yesno": "1", "q_choice": "2"}, complete=True)

    response = sync(client_for(bnnk_a), collection, body)

    assert response.status_code == 422
    data = response.json()
    assert data["status"] == "invalid"
    answers = by_question(collection, data)
    assert answers["q_likert"]["status"] == "invalid"
    assert "di luar pilihan" in answers["q_likert"]["message"]
    assert answers["q_yesno"]["status"] == answers["q_choice"]["status"] == "saved"
    assert data["complete"]["status"] == "skipped"
    made = Questionnaire.objects.get()
    assert sorted(made.answers.values_list("question__code", flat=True)) == ["q_choice", "q_yesno"]
    assert made.state == Questionnaire.State.DRAFT


def test_completion_with_a_required_answer_missing_is_incomplete(client_for, bnnk_a, collection):
    response = sync(client_for(bnnk_a), collection, item(collection, {"q_likert": "2"}, complete=True))

    assert response.status_code == 422
    data = response.json()
    assert data["status"] == "invalid"
    assert data["complete"]["status"] == "incomplete"
    assert any(d.startswith("q_yesno") for d in data["complete"]["details"])
    assert data["message"] == data["complete"]["message"]
    assert by_question(collection, data)["q_likert"]["status"] == "saved"
    assert Questionnaire.objects.get().state == Questionnaire.State.DRAFT


def test_clearing_an_answer(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    sync(client, collection, item(collection, {"q_likert": "3", "q_choice": "1"}, uid=uid))

    response = sync(client, collection, item(collection, {"q_likert": "3", "q_choice": (None, 1)}, uid=uid))

    assert response.status_code == 200
    answers = by_question(collection, response.json())
    assert answers["q_choice"]["status"] == "cleared" and answers["q_likert"]["status"] == "unchanged"
    assert list(Answer.objects.values_list("question__code", flat=True)) == ["q_likert"]


@pytest.mark.parametrize("state", [Collection.State.SUBMITTED, Collection.State.VERIFIED])
def test_a_closed_collection_refuses_and_applies_nothing(client_for, bnnk_a, collection, state):
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    sync(client, collection, item(collection, {"q_likert": "3"}, uid=uid))
    Collection.objects.filter(pk=collection.pk).update(state=state)
    before = counts()

    changed = sync(client, collection, item(collection, {"q_likert": ("4", 1), "q_yesno": "1"}, uid=uid))
    new = sync(client, collection, item(collection, FULL, complete=True))

    for response in (changed, new):
        assert response.status_code == 403
        data = response.json()
        assert (data["status"], data["code"]) == ("refused", "closed")
        assert "tidak dapat diubah" in data["message"]
    assert counts() == before
    assert Answer.objects.get().value == 3.0


def test_a_replay_of_applied_work_is_accepted_after_the_collection_closed(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    body = item(collection, FULL, complete=True)
    sync(client, collection, body)
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.SUBMITTED)
    before = counts()

    response = sync(client, collection, body)

    assert response.status_code == 200
    assert {a["status"] for a in response.json()["answers"]} == {"unchanged"}
    assert counts() == before


def test_past_the_deadline_refuses(client_for, bnnk_a, regency_a):
    coll = make_collection(regency_a, opens_days_ago=30, deadline_in_days=-2)
    response = sync(client_for(bnnk_a), coll, item(coll, FULL, complete=True))
    assert response.status_code == 403
    assert response.json()["code"] == "closed"
    assert "telah lewat" in response.json()["message"]
    assert Questionnaire.objects.count() == 0


def test_a_returned_collection_refuses_what_the_review_did_not_ask(client_for, bnnk_a, bnnp_a, collection):
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    sync(client, collection, item(collection, {"q_likert": "3"}, uid=uid))
    made = Questionnaire.objects.get()
    other = services.questionnaire_create(
        collection=collection, group=group(collection.period.instrument, "keluarga"), user=bnnk_a
    )
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.RETURNED, review_round=2)
    ReviewComment.objects.create(
        collection=collection,
        round=1,
        author=bnnp_a,
        text="Periksa",
        target="questionnaire",
        questionnaire=other,
    )
    before = counts()

    new = sync(client, collection, item(collection, FULL))
    changed = sync(client, collection, item(collection, {"q_likert": ("4", 1)}, uid=uid))

    assert (new.status_code, new.json()["code"]) == (403, "locked_by_review")
    assert (changed.status_code, changed.json()["code"]) == (403, "locked_by_review")
    assert counts() == before
    assert made.answers.get().value == 3.0


def test_another_kab_kota_is_a_404(client, bnnk_b, collection):
    client.force_login(bnnk_b)
    response = sync(client, collection, item(collection, FULL))
    assert response.status_code == 404
    assert response.json()["status"] == "invalid"
    assert Questionnaire.objects.count() == 0


@pytest.mark.parametrize("role", ["bnnp_a", "pusat"])
def test_roles_that_do_not_enter_data_are_refused(request, client_for, collection, role):
    response = sync(client_for(request.getfixturevalue(role)), collection, item(collection, FULL))
    assert response.status_code == 403
    assert (response.json()["status"], response.json()["code"]) == ("refused", "forbidden")
    assert Questionnaire.objects.count() == 0


def test_signed_out_is_a_401_json(client, collection):
    response = sync(client, collection, item(collection, FULL))
    assert response.status_code == 401
    assert response.json()["error"] == "login"
    assert response.json()["login_url"] == "/akun/login/?next=/survei/lapangan/"


def test_get_is_not_allowed(client_for, bnnk_a, collection):
    assert client_for(bnnk_a).get(endpoint("sync", collection)).status_code == 405


def test_a_uuid_used_in_another_collection_is_a_400(client_for, bnnk_a, regency_a, collection):
    earlier = make_collection(regency_a)  # another period of the same kab/kota
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    assert sync(client, earlier, item(earlier, {"q_likert": "3"}, uid=uid)).status_code == 200

    response = sync(client, collection, item(collection, {"q_likert": "3"}, uid=uid))

    assert response.status_code == 400
    assert response.json()["code"] == "uuid_elsewhere"
    assert Questionnaire.objects.filter(collection=collection).count() == 0


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        {"uuid": "not-a-uuid", "group": "keluarga", "answers": []},
        {"uuid": str(uuid.uuid4()), "group": "keluarga", "answers": [{"question": "x", "value": "1"}]},
        {"uuid": str(uuid.uuid4()), "group": "keluarga", "filled_on": "2099-01-01", "answers": []},
    ],
    ids=["not json", "not an object", "bad uuid", "bad question id", "future date"],
)
def test_a_malformed_body_is_a_400(client_for, bnnk_a, collection, body):
    response = sync(client_for(bnnk_a), collection, body)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed" and response.json()["message"]
    assert Questionnaire.objects.count() == 0


def test_an_unknown_group_is_a_400(client_for, bnnk_a, collection):
    response = sync(client_for(bnnk_a), collection, item(collection, {}, group="sekolah"))
    assert (response.status_code, response.json()["code"]) == (400, "unknown_group")


def test_a_question_of_another_group_is_invalid(client_for, bnnk_a, collection):
    body = item(collection, {"q_likert": "3", "q_number": "4"})
    response = sync(client_for(bnnk_a), collection, body)
    assert response.status_code == 422
    answers = by_question(collection, response.json())
    assert answers["q_number"]["status"] == "invalid" and "tidak ditanyakan" in answers["q_number"]["message"]
    assert answers["q_likert"]["status"] == "saved"


def test_a_draft_from_the_package_is_updated_from_its_base_versions(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    inst = collection.period.instrument
    draft = services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)
    writes.questionnaire_save_answer(
        questionnaire=draft, question=question(inst, "q_likert"), raw_value="2", base_version=0, user=bnnk_a
    )
    package = client.get(endpoint("package", collection)).json()
    (offered,) = package["drafts"]
    assert offered["uuid"] is None
    base = {a["code"]: a["version"] for a in offered["answers"]}
    uid = uuid.uuid4()
    body = item(
        collection, {"q_likert": ("4", base["q_likert"]), "q_yesno": "1"}, uid=uid, id=draft.pk, complete=True
    )

    response = sync(client, collection, body)

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["questionnaire"] == {"id": draft.pk, "uuid": str(uid), "state": "complete", "created": False}
    answers = by_question(collection, data)
    assert (answers["q_likert"]["status"], answers["q_likert"]["version"]) == ("saved", 2)
    draft.refresh_from_db()
    assert draft.client_uuid == uid and draft.state == Questionnaire.State.COMPLETE
    assert Questionnaire.objects.count() == 1
    assert sync(client, collection, body).json()["answers"][0]["status"] == "unchanged"


def test_an_id_outside_the_collection_is_a_404(client_for, bnnk_a, bnnk_b, collection):
    coll_b = Collection.objects.get(period=collection.period, regency=bnnk_b.regency)
    theirs = services.questionnaire_create(
        collection=coll_b, group=group(collection.period.instrument, "keluarga"), user=bnnk_b
    )
    response = sync(client_for(bnnk_a), collection, item(collection, {"q_likert": "3"}, id=theirs.pk))
    assert response.status_code == 404
    assert not theirs.answers.exists()


def test_csrf_is_enforced(bnnk_a, collection):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bnnk_a)
    body = item(collection, FULL)

    assert sync(client, collection, body).status_code == 403
    assert Questionnaire.objects.count() == 0

    token = client.get(endpoint_session()).json()["csrf"]
    response = post_json(client, endpoint("sync", collection), body, X_CSRFToken=token)
    assert response.status_code == 200
    assert Questionnaire.objects.count() == 1


def endpoint_session() -> str:
    return "/survei/lapangan/sesi.json"


def _thirty_questions(collection) -> list[Question]:
    inst = collection.period.instrument
    keluarga = group(inst, "keluarga")
    indicator = question(inst, "q_likert").indicator
    for n in range(27):
        extra = Question.objects.create(
            instrument=inst, indicator=indicator, code=f"q_extra{n}", text=f"Tambahan {n}?", order=10 + n
        )
        extra.groups.set([keluarga])
        likert_options(extra)
    questions = list(Question.objects.filter(groups=keluarga))
    assert len(questions) == 30
    assert Option.objects.filter(question__in=questions).exists()
    return questions


def test_the_query_count_of_a_30_answer_sync_is_bounded(client_for, bnnk_a, collection):
    questions = _thirty_questions(collection)
    client = client_for(bnnk_a)
    client.get(endpoint("package", collection))  # the session and the instrument's specs loaded once

    def body(uid):
        values = {q.pk: "1" if q.kind == "yesno" else "2" for q in questions}
        return {
            **item(collection, {}, uid=uid, complete=True),
            "answers": [{"question": pk, "value": v, "base_version": 0} for pk, v in values.items()],
        }

    uid = uuid.uuid4()
    with CaptureQueriesContext(connection) as first:
        response = sync(client, collection, body(uid))
    assert response.status_code == 200, response.content
    assert Answer.objects.count() == 30
    with CaptureQueriesContext(connection) as replay:
        assert sync(client, collection, body(uid)).status_code == 200
    # A first sync: a fixed part (session, collection, the instrument's specs when not cached, the
    # questionnaire, completion: 23) and, per answer, autosave's write: on PostgreSQL its one statement
    # (53 in all), elsewhere its locked path: savepoint, locked read, insert, history row, the
    # questionnaire's timestamp, release (203 on SQLite).
    per_answer = 1 if connection.vendor == "postgresql" else 6
    assert len(first.captured_queries) <= 25 + per_answer * 30, len(first.captured_queries)
    # A replay reads and writes nothing per answer.
    assert len(replay.captured_queries) <= 12, len(replay.captured_queries)


def test_the_draft_date_defaults_to_today(client_for, bnnk_a, collection):
    body = item(collection, {"q_likert": "3"}, filled_on=None)
    assert sync(client_for(bnnk_a), collection, body).status_code == 200
    assert Questionnaire.objects.get().filled_on == datetime.date.today()


def test_an_excluded_questionnaire_refuses_changes(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    sync(client, collection, item(collection, {"q_likert": "3"}, uid=uid))
    Questionnaire.objects.update(state=Questionnaire.State.EXCLUDED, excluded_reason="Ganda")

    response = sync(client, collection, item(collection, {"q_likert": ("4", 1)}, uid=uid))

    assert (response.status_code, response.json()["code"]) == (403, "excluded")
    assert Answer.objects.get().value == 3.0


class _Stored:
    def __init__(self, value, version, updated_by_id):
        self.value, self.version, self.updated_by_id = value, version, updated_by_id


@pytest.mark.parametrize(
    ("stored", "value", "base", "expected"),
    [
        (None, None, 0, True),  # clearing nothing
        (None, 3.0, 0, False),  # a first answer
        (_Stored(3.0, 1, 7), 3.0, 1, True),  # the same value, seen
        (_Stored(3.0, 1, 7), 3.0, 0, True),  # a retry of this user's save that went through
        (_Stored(3.0, 1, 8), 3.0, 0, False),  # someone else wrote that value: the client did not see it
        (_Stored(3.0, 2, 7), 3.0, 0, False),  # two versions on
        (_Stored(3.0, 1, 7), 4.0, 1, False),  # a change
        (_Stored(3.0, 1, 7), None, 1, False),  # a clear
    ],
)
def test_already_saved(stored, value, base, expected):
    assert writes.already_saved(stored, value, base, 7) is expected


def test_two_first_syncs_of_one_uuid_at_once_make_one_questionnaire(
    client_for, bnnk_a, collection, monkeypatch
):
    """The second request looked for the uuid before the first one committed: its insert hits the unique
    uuid, and it applies its answers to the questionnaire the first one made."""
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    assert sync(client, collection, item(collection, {"q_likert": "3"}, uid=uid)).status_code == 200
    monkeypatch.setattr(fieldkit_sync, "_find", lambda collection, item: None)

    response = sync(client, collection, item(collection, {"q_likert": "3", "q_yesno": "1"}, uid=uid))

    assert response.status_code == 200
    assert response.json()["questionnaire"]["created"] is False
    answers = by_question(collection, response.json())
    assert (answers["q_likert"]["status"], answers["q_yesno"]["status"]) == ("unchanged", "saved")
    assert Questionnaire.objects.count() == 1
    assert Answer.objects.count() == 2
