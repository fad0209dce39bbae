"""The read-only API (reports/api.py) under any path, query and token: JSON, 2xx or a 4xx with a detail,
never a 500."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_collection
from tests.fuzz_inputs import FUZZ, text_input

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/periods",
    "/api/periods/{year}",
    "/api/periods/{year}/scores",
    "/api/periods/{year}/ranking",
]
year = st.one_of(
    st.just("2026"),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    text_input.filter(lambda t: t.strip() and "/" not in t).map(lambda t: quote(t, safe="")),
)
query = st.dictionaries(st.sampled_from(["page", "page_size", "tahun", "x"]), text_input, max_size=3)


def assert_json_answer(response) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        assert json.loads(response.content)["detail"]
    elif response.status_code >= 400:
        assert response.content.strip()  # the project's 400/404 pages


def test_any_path_and_query_for_a_signed_in_user(client_for, regency_a, pusat):
    make_collection(regency_a, year=2026)
    client = client_for(pusat)

    @FUZZ
    @given(endpoint=st.sampled_from(ENDPOINTS), year=year, params=query)
    def run(endpoint, year, params):
        assert_json_answer(client.get(endpoint.format(year=year), params))

    run()


def test_any_bearer_token_is_refused_politely(client, regency_a):
    make_collection(regency_a, year=2026)

    @FUZZ
    @given(token=text_input, scheme=st.sampled_from(["Bearer", "bearer", "Basic", "", "Bearer  "]))
    def run(token, scheme):
        header = f"{scheme} {token}".encode("utf-8", "replace").decode("latin-1")
        response = client.get("/api/periods", HTTP_AUTHORIZATION=header)
        assert_json_answer(response)
        assert response.status_code == 401

    run()
