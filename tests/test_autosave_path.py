"""The lean autosave path: plain-SQL reads and writes that must match what the ORM and simple-history
would have produced, the in-memory question cache, and the number of queries an autosave costs."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.middleware import OTPMiddleware

from accounts.models import User
from accounts.sessions import adopt_session_user, session_user_id
from assessments import services
from assessments.autosave import reads, rows, specs, sql_rows, writes
from assessments.links import services as links
from assessments.models import Answer, Questionnaire, RespondentLink
from instruments.models import Option
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
    assert {c.strip() for c in rows.HISTORY_COLUMNS.split(",")} == expected


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
    writes.questionnaire_save_answer(questionnaire=qn, question=q, raw_value="2", base_version=0, user=bnnk_a)
    assert (
        rows.write_in_one_statement(
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
        rows.write_in_one_statement(  # a second first answer: nothing, the locked path decides
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
    got, _user = reads.questionnaire_and_user(qn.pk, bnnk_a.pk)
    assert _fields(got) == _fields(Questionnaire.objects.get(pk=qn.pk))
    assert _fields(got.collection) == _fields(collection)
    assert _fields(got.collection.period) == _fields(collection.period)
    assert (got.collection.regency.pk, got.collection.regency.province_id) == (
        collection.regency.pk,
        collection.regency.province_id,
    )
    assert got.collection.regency.name == collection.regency.name  # deferred fields still load
    assert reads.questionnaire_and_user(qn.pk + 1000, bnnk_a.pk) == (None, None)

    link = links.link_create(collection=collection, group=group(inst, "instansi"), user=bnnk_a)
    found = reads.link(link.token)
    assert _fields(found) == _fields(RespondentLink.objects.get(pk=link.pk))
    assert found.questionnaire.collection.period.pk == collection.period.pk
    assert reads.link("tidak-ada") is None
    assert reads.link("x" * 500) is None


def test_the_questionnaire_is_read_with_the_sessions_user(qn, bnnk_a):
    got, user = reads.questionnaire_and_user(qn.pk, bnnk_a.pk)
    assert _fields(got) == _fields(Questionnaire.objects.get(pk=qn.pk))
    assert _fields(user) == _fields(User.objects.get(pk=bnnk_a.pk))
    assert reads.questionnaire_and_user(qn.pk, 999_999)[1] is None  # no such user
    assert reads.questionnaire_and_user(qn.pk, None) == (None, None)  # nobody logged in: nothing read
    assert reads.questionnaire_and_user(qn.pk + 1000, bnnk_a.pk) == (None, None)
    assert reads.questionnaire_and_user(2**70, bnnk_a.pk) == (None, None)


def _request(session):
    """A request as the view gets it: AuthenticationMiddleware's lazy user, wrapped by OTPMiddleware's."""
    request = RequestFactory().post("/")
    request.session = session
    AuthenticationMiddleware(lambda r: None).process_request(request)
    return OTPMiddleware(lambda r: r)(request)


def test_session_user_id_is_a_primary_key_or_none(client, bnnk_a):
    for stored, expected in ((bnnk_a.pk, bnnk_a.pk), (str(bnnk_a.pk), bnnk_a.pk)):
        assert session_user_id(_request({SESSION_KEY: stored})) == expected
    for garbage in (None, "", "bukan-angka", "-3", "0", str(2**70)):
        assert session_user_id(_request({SESSION_KEY: garbage})) is None
    assert session_user_id(_request({})) is None


def test_an_adopted_user_is_request_user_without_a_query_and_keeps_two_factor(
    client, bnnk_a, django_assert_num_queries
):
    client.force_login(bnnk_a, backend="accounts.backends.ModelBackend")
    request = _request(client.session)
    row = User.objects.get(pk=bnnk_a.pk)
    with django_assert_num_queries(0):
        adopt_session_user(request, row)
        assert request.user.is_authenticated and request.user.pk == bnnk_a.pk
        assert request.user.is_verified() is False  # OTPMiddleware's wrapper still ran on it
    assert row.is_verified() is False  # the row itself is request.user: OTPMiddleware set it up


@pytest.mark.parametrize("case", ["inactive", "password", "other_user", "other_backend", "none"])
def test_what_is_not_the_usual_case_is_left_to_django(client, bnnk_a, bnnp_a, case):
    """Only the usual case is decided from the row; otherwise Django's get_user reads the user itself."""
    django_backend = "django.contrib.auth.backends.ModelBackend"
    with override_settings(AUTHENTICATION_BACKENDS=[*settings.AUTHENTICATION_BACKENDS, django_backend]):
        client.force_login(
            bnnk_a, backend=django_backend if case == "other_backend" else "accounts.backends.ModelBackend"
        )
        request = _request(client.session)
        row = User.objects.get(pk=bnnp_a.pk if case == "other_user" else bnnk_a.pk)
        if case == "inactive":
            User.objects.filter(pk=bnnk_a.pk).update(is_active=False)
            row.is_active = False
        if case == "password":
            row.set_password("kata-sandi-lain-yang-panjang")
            row.save()
        adopt_session_user(request, None if case == "none" else row)
        with CaptureQueriesContext(connection) as queries:
            user_pk = request.user.pk
    assert len(queries) >= 1 and not hasattr(row, "otp_device")  # not the row: OTPMiddleware never saw it
    assert user_pk == (None if case in ("inactive", "password") else bnnk_a.pk)


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
    spec = specs.question_spec(inst.pk, q.pk)
    assert spec.option_values == [o.value for o in q.options.order_by("order", "value")]
    assert spec.group_ids == frozenset(q.groups.values_list("pk", flat=True))
    assert (spec.kind, spec.required, spec.indicator_id) == (q.kind, q.required, q.indicator_id)
    assert specs.question_spec(inst.pk, 999_999) is None
    assert specs.question_spec(make_instrument().pk, q.pk) is None  # another instrument's


def test_editing_an_instrument_clears_the_question_cache(inst):
    q = question(inst, "q_choice")
    before = specs.question_spec(inst.pk, q.pk).option_values
    Option.objects.create(question=q, value=9, label="Baru", score=1, order=99)
    assert specs.question_spec(inst.pk, q.pk).option_values == [*before, 9.0]
    q.groups.clear()
    assert specs.question_spec(inst.pk, q.pk).group_ids == frozenset()


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
