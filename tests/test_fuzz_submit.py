"""Collection submit under any request: a redirect to the collection with a message (or a 4xx), never a
500; a refused or repeated submit changes nothing (state, time, history, review events)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Collection, ReviewEvent
from tests.factories import make_collection
from tests.fuzz_inputs import FUZZ, assert_polite, raw_body, text_input
from tests.test_workflow import _fill

pytestmark = pytest.mark.django_db


def stored_state() -> tuple:
    return (
        sorted(Collection.objects.values_list("id", "state", "submitted_at", "submitted_by_id")),
        Collection.history.count(),
        ReviewEvent.objects.count(),
    )


def submit(client, collection, form, raw):
    url = f"/survei/periode/{collection.period.year}/{collection.regency.code}/kirim/"
    if raw is not None:
        content_type, body = raw
        return client.post(url, data=body, content_type=content_type, follow=True)
    return client.post(url, form, follow=True)


requests = st.tuples(st.dictionaries(text_input, text_input, max_size=4), st.none() | raw_body)


def test_an_incomplete_collection_is_never_submitted_whatever_is_sent(client_for, regency_a, bnnk_a):
    collection = make_collection(regency_a)
    client = client_for(bnnk_a)

    @FUZZ
    @given(request=requests)
    def run(request):
        before = stored_state()
        response = submit(client, collection, *request)
        assert_polite(response, json_expected=False)
        if response.status_code == 200:
            assert "Koleksi belum dapat dikirim" in response.content.decode()
        assert stored_state() == before

    run()


def test_a_ready_collection_is_submitted_once_whatever_is_sent(client_for, regency_a, bnnk_a):
    collection = make_collection(regency_a)
    _fill(collection, bnnk_a)
    client = client_for(bnnk_a)
    first = client.post(f"/survei/periode/{collection.period.year}/{regency_a.code}/kirim/", follow=True)
    assert "Koleksi berhasil dikirim" in first.content.decode()

    @FUZZ
    @given(request=requests)
    def run(request):
        before = stored_state()
        response = submit(client, collection, *request)
        assert_polite(response, json_expected=False)
        if response.status_code == 200:
            assert "sudah dikirim" in response.content.decode()
        assert stored_state() == before

    run()


def test_others_cannot_submit_whatever_they_send(client_for, regency_a, bnnk_a, bnnk_b, bnnp_a):
    collection = make_collection(regency_a)
    _fill(collection, bnnk_a)

    @FUZZ
    @given(user=st.sampled_from([bnnk_b, bnnp_a]), request=requests)
    def run(user, request):
        before = stored_state()
        response = submit(client_for(user), collection, *request)
        assert_polite(response, json_expected=False)
        assert stored_state() == before

    run()


def test_get_is_refused(client_for, regency_a, bnnk_a):
    collection = make_collection(regency_a)
    response = client_for(bnnk_a).get(f"/survei/periode/{collection.period.year}/{regency_a.code}/kirim/")
    assert response.status_code == 405
