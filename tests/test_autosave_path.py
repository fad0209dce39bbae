"""The lean autosave path: plain-SQL reads and writes that must match what the ORM and simple-history
would have produced, the in-memory question cache, and the number of queries an autosave costs."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from accounts.backends import ModelBackend, read_ahead
from accounts.models import User
from assessments import answer_rows, autosave_reads, links, question_specs, services
from assessments.models import Answer, Option, Questionnaire, RespondentLink
from kotan import sql_rows
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


def post(client, qn, question_id, value, base_version=0):
    data = {"question": question_id, "value": value, "base_version": base_version}
    return client.post(f"/survei/kuesioner/{qn.pk}/jawaban/", data)


# --- history rows as simple-history writes them ----------------------------------------------------------


def test_history_columns_are_every_column_of_the_historical_model():
    model = Answer.history.model
    expected = {f.column for f in model._meta.concrete_fields} - {model._meta.pk.column}
    assert {c.strip() for c in answer_rows.HISTORY_COLUMNS.split(",")} == expected


def test_autosaves_leave_the_history_the_orm_would(client_for, bnnk_a, qn, inst):
    client = client_for(bnnk_a)
    q = question(inst, "q_likert")
    assert post(client, qn, q.pk, "2").json()["version"] == 1
    assert post(client, qn, q.pk, "5", base_version=1).json()["version"] == 2
    answer = Answer.objects.get(questionnaire=qn, question=q)
    assert (answer.value, answer.version, answer.updated_by_id) == (5.0, 2, bnnk_a.pk)
    rows = list(
        answer.history.order_by("history_id").values(
            "id", "value", "version", "history_type", "history_user_id", "updated_by_id", "questionnaire_id"
        )
    )
    common = {
        "id": answer.pk,
        "history_user_id": bnnk_a.pk,
        "updated_by_id": bnnk_a.pk,
        "questionnaire_id": qn.pk,
    }
    assert rows == [
        {**common, "value": 2.0, "version": 1, "history_type": "+"},
        {**common, "value": 5.0, "version": 2, "history_type": "~"},
    ]
    last = answer.history.latest("history_id")
    assert last.history_date == last.updated_at == answer.updated_at
    # the questionnaire's "last change" moved with the answer
    assert Questionnaire.objects.get(pk=qn.pk).updated_at >= answer.updated_at
    # and a clear still goes through the model: simple-history's "-" row, by the same user
    assert post(client, qn, q.pk, "", base_version=2).json()["version"] == 0
    deleted = Answer.history.filter(id=answer.pk).latest("history_id")
    assert (deleted.history_type, deleted.history_user_id) == ("-", bnnk_a.pk)


def test_respondent_saves_have_no_history_user(client, collection, inst, bnnk_a):
    link = links.link_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)
    q = question(inst, "q_likert")
    url = f"/r/{link.token}/jawaban/"
    assert client.post(url, {"question": q.pk, "value": "3", "base_version": 0}).json()["ok"]
    assert client.post(url, {"question": q.pk, "value": "4", "base_version": 1}).json()["version"] == 2
    history = list(
        Answer.history.filter(questionnaire_id=link.questionnaire_id)
        .order_by("history_id")
        .values_list("history_type", "history_user_id", "updated_by_id", "value")
    )
    assert history == [("+", None, None, 3.0), ("~", None, None, 4.0)]


def test_a_stale_version_on_the_one_statement_path_is_a_conflict_and_writes_nothing(qn, inst, bnnk_a):
    q = question(inst, "q_likert")
    services.questionnaire_save_answer(
        questionnaire=qn, question=q, raw_value="2", base_version=0, user=bnnk_a
    )
    assert (
        answer_rows.write_in_one_statement(
            questionnaire_id=qn.pk,
            question_id=q.pk,
            value=4.0,
            base_version=7,
            user_id=bnnk_a.pk,
            now=timezone.now(),
        )
        is None
    )
    assert (
        answer_rows.write_in_one_statement(  # a second first answer: nothing, the locked path decides
            questionnaire_id=qn.pk,
            question_id=q.pk,
            value=4.0,
            base_version=0,
            user_id=bnnk_a.pk,
            now=timezone.now(),
        )
        is None
    )
    assert list(Answer.objects.values_list("value", "version")) == [(2.0, 1)]
    assert Answer.history.count() == 1


# --- reads: the same objects the ORM gives ---------------------------------------------------------------


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_sql_rows_builds_the_instance_the_orm_builds(bnnk_a):
    User.objects.filter(pk=bnnk_a.pk).update(last_login=timezone.now(), is_staff=True)
    with connection.cursor() as cursor:
        sql = f"SELECT {sql_rows.columns(User, 'u')} FROM accounts_user u WHERE u.id = %s"  # noqa: S608
        cursor.execute(sql, [bnnk_a.pk])
        built = sql_rows.instance(User, cursor.fetchone())
    orm = User.objects.get(pk=bnnk_a.pk)
    assert _fields(built) == _fields(orm)
    assert built.is_staff is True and isinstance(built.last_login, datetime.datetime)
    assert timezone.is_aware(built.last_login)
    assert not built._state.adding


def test_autosave_reads_match_the_orm(qn, collection, inst, bnnk_a):
    got, _users = autosave_reads.questionnaire_and_user(qn.pk, bnnk_a.pk)
    assert _fields(got) == _fields(Questionnaire.objects.get(pk=qn.pk))
    assert _fields(got.collection) == _fields(collection)
    assert _fields(got.collection.period) == _fields(collection.period)
    assert (got.collection.regency.pk, got.collection.regency.province_id) == (
        collection.regency.pk,
        collection.regency.province_id,
    )
    assert got.collection.regency.name == collection.regency.name  # deferred fields still load
    assert autosave_reads.questionnaire_and_user(qn.pk + 1000, bnnk_a.pk) == (None, {})

    link = links.link_create(collection=collection, group=group(inst, "instansi"), user=bnnk_a)
    found = autosave_reads.link(link.token)
    assert _fields(found) == _fields(RespondentLink.objects.get(pk=link.pk))
    assert found.questionnaire.collection.period.pk == collection.period.pk
    assert autosave_reads.link("tidak-ada") is None
    assert autosave_reads.link("x" * 500) is None


def test_backend_reads_the_user_and_refuses_inactive_or_unknown(bnnk_a):
    backend = ModelBackend()
    assert _fields(backend.get_user(bnnk_a.pk)) == _fields(User.objects.get(pk=bnnk_a.pk))
    assert backend.get_user(str(bnnk_a.pk)).pk == bnnk_a.pk
    assert backend.get_user(999_999) is None
    assert backend.get_user("bukan-angka") is None
    User.objects.filter(pk=bnnk_a.pk).update(is_active=False)
    assert backend.get_user(bnnk_a.pk) is None


def test_the_questionnaire_is_read_with_the_sessions_user(qn, bnnk_a):
    got, users = autosave_reads.questionnaire_and_user(qn.pk, str(bnnk_a.pk))
    assert _fields(got) == _fields(Questionnaire.objects.get(pk=qn.pk))
    assert list(users) == [bnnk_a.pk] and _fields(users[bnnk_a.pk]) == _fields(User.objects.get(pk=bnnk_a.pk))
    assert autosave_reads.questionnaire_and_user(qn.pk, 999_999)[1] == {999_999: None}  # no such user
    for no_user in (None, "", "bukan-angka", "-3", str(2**70)):  # nobody logged in: nothing to read
        assert autosave_reads.questionnaire_and_user(qn.pk, no_user) == (None, {})
    assert autosave_reads.questionnaire_and_user(qn.pk + 1000, bnnk_a.pk) == (None, {})
    assert autosave_reads.questionnaire_and_user(2**70, bnnk_a.pk) == (None, {})


def test_read_ahead_answers_get_user_without_a_query_and_still_refuses_inactive(
    bnnk_a, bnnp_a, django_assert_num_queries
):
    backend = ModelBackend()
    row = User.objects.get(pk=bnnk_a.pk)
    with read_ahead({bnnk_a.pk: row, 999_999: None}), django_assert_num_queries(0):
        assert backend.get_user(str(bnnk_a.pk)) is row
        assert backend.get_user(999_999) is None
    with read_ahead({bnnk_a.pk: row}), django_assert_num_queries(1):
        assert backend.get_user(bnnp_a.pk).pk == bnnp_a.pk  # not read ahead: asked for
    row.is_active = False
    with read_ahead({bnnk_a.pk: row}):
        assert backend.get_user(bnnk_a.pk) is None
    with django_assert_num_queries(1):  # outside the block nothing is remembered
        assert backend.get_user(bnnk_a.pk).pk == bnnk_a.pk


def test_a_password_changed_elsewhere_ends_the_session_at_the_next_autosave(client_for, bnnk_a, qn, inst):
    # Django's session hash check still runs on the user read together with the questionnaire.
    client = client_for(bnnk_a)
    assert post(client, qn, question(inst, "q_likert").pk, "3").status_code == 200
    user = User.objects.get(pk=bnnk_a.pk)
    user.set_password("kata-sandi-baru-yang-panjang")
    user.save()
    response = post(client, qn, question(inst, "q_likert").pk, "4", base_version=1)
    assert response.status_code == 401
    assert Answer.objects.get(questionnaire=qn).value == 3.0
    assert post(client, qn, question(inst, "q_likert").pk, "4", base_version=1).status_code == 401


def test_an_anonymous_autosave_is_a_401_without_a_query(client, qn, inst, django_assert_num_queries):
    q = question(inst, "q_likert")
    with django_assert_num_queries(0):
        response = post(client, qn, q.pk, "3")
    assert response.status_code == 401 and response.json()["ok"] is False
    assert not Answer.objects.filter(questionnaire=qn).exists()


def test_deactivated_user_is_logged_out_at_the_next_autosave(client_for, bnnk_a, qn, inst):
    client = client_for(bnnk_a)
    assert post(client, qn, question(inst, "q_likert").pk, "3").status_code == 200
    User.objects.filter(pk=bnnk_a.pk).update(is_active=False)
    response = post(client, qn, question(inst, "q_likert").pk, "4", base_version=1)
    assert response.status_code == 401
    assert Answer.objects.get(questionnaire=qn).value == 3.0


# --- the question cache -----------------------------------------------------------------------------------


def test_question_specs_hold_options_and_groups(inst):
    q = question(inst, "q_likert")
    spec = question_specs.question_spec(inst.pk, q.pk)
    assert spec.option_values == [o.value for o in q.options.order_by("order", "value")]
    assert spec.group_ids == frozenset(q.groups.values_list("pk", flat=True))
    assert (spec.kind, spec.required, spec.indicator_id) == (q.kind, q.required, q.indicator_id)
    assert question_specs.question_spec(inst.pk, 999_999) is None
    assert question_specs.question_spec(make_instrument().pk, q.pk) is None  # another instrument's


def test_editing_an_instrument_clears_the_question_cache(inst):
    q = question(inst, "q_choice")
    before = question_specs.question_spec(inst.pk, q.pk).option_values
    Option.objects.create(question=q, value=9, label="Baru", score=1, order=99)
    assert question_specs.question_spec(inst.pk, q.pk).option_values == [*before, 9.0]
    q.groups.clear()
    assert question_specs.question_spec(inst.pk, q.pk).group_ids == frozenset()


# --- what one autosave costs ------------------------------------------------------------------------------


def test_an_autosave_costs_a_fixed_small_number_of_queries(
    client_for, bnnk_a, qn, inst, django_assert_num_queries
):
    client = client_for(bnnk_a)
    q, other = question(inst, "q_likert"), question(inst, "q_choice")
    post(client, qn, q.pk, "2")  # the question cache is filled; the session is in the cache
    # PostgreSQL: the questionnaire with the session's user, and one statement writing answer, history
    # and timestamp. SQLite: the same read, then a locked read, the write, its history and the timestamp
    # inside a savepoint (the test's transaction stands in for the request's).
    expected = 2 if connection.vendor == "postgresql" else 7
    with django_assert_num_queries(expected):
        assert post(client, qn, q.pk, "4", base_version=1).json()["version"] == 2
    with django_assert_num_queries(expected):
        assert post(client, qn, other.pk, "1").json()["version"] == 1
