"""Autosave under any input (BNNK endpoint and respondent link): 2xx or a JSON 4xx with a message,
never a 500, and a refused save leaves every stored answer and its history as it was."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import services
from assessments.autosave import writes
from assessments.links import services as links
from assessments.models import Answer, Questionnaire
from tests.factories import group, make_collection
from tests.fuzz_inputs import FUZZ, NASTY_TEXT, assert_polite, raw_body, text_input

pytestmark = pytest.mark.django_db


def stored_state() -> tuple:
    answers = sorted(
        Answer.objects.values_list("questionnaire_id", "question_id", "value", "version", "updated_by_id")
    )
    return (
        answers,
        Answer.history.count(),
        sorted(Questionnaire.objects.values_list("id", "state")),
    )


@pytest.fixture
def setup(regency_a, bnnk_a):
    collection = make_collection(regency_a)
    inst = collection.period.instrument
    keluarga = group(inst, "keluarga")
    qn = services.questionnaire_create(collection=collection, group=keluarga, user=bnnk_a)
    link = links.link_create(collection=collection, group=keluarga, user=bnnk_a)
    question_ids = list(inst.questions.values_list("pk", flat=True))
    # Something already saved, which no refused request may touch.
    for target, kwargs in ((qn, {"user": bnnk_a}), (link.questionnaire, {"link": link})):
        writes.questionnaire_save_answer(
            questionnaire=target,
            question=inst.questions.get(code="q_likert"),
            raw_value="4",
            base_version=0,
            **kwargs,
        )
    return qn, link, question_ids


def question_field(question_ids):
    return st.one_of(
        st.sampled_from(question_ids),
        st.integers(min_value=-(2**64), max_value=2**64),
        st.sampled_from(NASTY_TEXT),
    ).map(str)


def form_fields(question_ids):
    return st.fixed_dictionaries(
        {},
        optional={
            "question": question_field(question_ids),
            "value": text_input,
            "base_version": st.one_of(st.integers(min_value=-5, max_value=2**40).map(str), text_input),
            "extra": text_input,
        },
    )


# What static/js/autosave.js sends along.
AUTOSAVE_HEADERS = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}


def check(client, url, *, form=None, raw=None) -> None:
    before = stored_state()
    if raw is not None:
        content_type, body = raw
        response = client.post(url, data=body, content_type=content_type, headers=AUTOSAVE_HEADERS)
    else:
        response = client.post(url, form, headers=AUTOSAVE_HEADERS)
    assert_polite(response, json_expected=True)
    if response.status_code >= 400:
        assert stored_state() == before


def test_bnnk_autosave_survives_any_form(client_for, bnnk_a, setup):
    qn, _link, question_ids = setup
    client = client_for(bnnk_a)
    url = f"/survei/kuesioner/{qn.pk}/jawaban/"

    @FUZZ
    @given(form=form_fields(question_ids))
    def run(form):
        check(client, url, form=form)

    run()


def test_bnnk_autosave_survives_any_body_and_content_type(client_for, bnnk_a, setup):
    qn, _link, _ids = setup
    client = client_for(bnnk_a)
    url = f"/survei/kuesioner/{qn.pk}/jawaban/"

    @FUZZ
    @given(raw=raw_body)
    def run(raw):
        check(client, url, raw=raw)

    run()


def test_respondent_autosave_survives_any_form_and_body(client, setup):
    _qn, link, question_ids = setup
    url = f"/r/{link.token}/jawaban/"

    @FUZZ
    @given(form=form_fields(question_ids), raw=st.none() | raw_body)
    def run(form, raw):
        check(client, url, form=form, raw=raw)

    run()


def test_respondent_autosave_with_any_token(client, setup):
    @FUZZ
    @given(token=text_input.filter(lambda t: t and "/" not in t and "?" not in t and "#" not in t))
    def run(token):
        check(client, f"/r/{token}/jawaban/", form={"question": "1", "value": "4"})

    run()


@pytest.mark.parametrize(
    "value, status",
    [
        ("1e308", 400),
        ("-1e308", 400),
        ("1e309", 400),
        ("NaN", 400),
        ("inf", 400),
        ("-Infinity", 400),
        ("9" * 99, 400),
        ("9" * 101, 400),
        ("<script>alert(1)</script>", 400),
        ("'; DROP TABLE assessments_answer; --", 400),
    ],
)
def test_huge_and_non_finite_numbers_are_refused_with_a_message(client_for, bnnk_a, setup, value, status):
    qn, _link, _ids = setup
    number = qn.collection.period.instrument.questions.get(code="q_likert")
    before = stored_state()
    response = client_for(bnnk_a).post(
        f"/survei/kuesioner/{qn.pk}/jawaban/", {"question": number.pk, "value": value, "base_version": 1}
    )
    assert response.status_code == status
    assert response.json()["message"]
    assert stored_state() == before


def test_an_oversized_body_is_refused_in_json(client_for, bnnk_a, setup, settings):
    qn, _link, question_ids = setup
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = stored_state()
    response = client_for(bnnk_a).post(
        f"/survei/kuesioner/{qn.pk}/jawaban/",
        {"question": question_ids[0], "value": "4" * 20_000, "base_version": 1},
        headers=AUTOSAVE_HEADERS,
    )
    assert_polite(response, json_expected=True)
    assert response.status_code in (400, 413)
    assert stored_state() == before


def test_an_unreadable_page_form_gets_an_indonesian_page(client):
    # The CSRF check reads the form first; a body in another charset is refused there.
    response = client.post(
        "/akun/login/",
        data=b"username=x&password=y",
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Permintaan tidak dapat dibaca" in response.content.decode()
