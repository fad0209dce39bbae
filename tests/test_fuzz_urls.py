"""Any text in a URL segment or query parameter is a page or a 4xx, never a 500 (also on PostgreSQL,
which refuses NUL characters in text: kotan.infra.security.RejectNulCharactersMiddleware turns those into a
400 before a view runs)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import services
from assessments.links import services as links
from tests.factories import group, make_collection
from tests.fuzz_inputs import FUZZ, SCRIPT, assert_polite, text_input

pytestmark = pytest.mark.django_db

segment = text_input.filter(lambda t: t.strip() not in ("", ".", ".."))
PAGES = [
    "/survei/periode/{year}/{code}/",
    "/survei/periode/{year}/{code}/riwayat/",
    "/survei/periode/{year}/{code}/bukti/unggah/",
    "/survei/periode/{year}/{code}/excel/template/{text}/",
    "/survei/periode/{year}/{code}/verifikasi/",
    "/r/{text}/",
    "/wilayah/{code}/",
]
QUERY_PARAMS = ["q", "tahun", "hal", "jenis", "kelompok", "status", "oleh", "cek", "ditandai", "provinsi"]


@pytest.fixture
def site(regency_a, bnnk_a):
    collection = make_collection(regency_a, year=2026)
    keluarga = group(collection.period.instrument, "keluarga")
    services.questionnaire_create(collection=collection, group=keluarga, user=bnnk_a)
    link = links.link_create(collection=collection, group=keluarga, user=bnnk_a)
    return collection, link


def test_any_path_segment(client_for, bnnk_a, site):
    client = client_for(bnnk_a)

    @FUZZ
    @given(
        template=st.sampled_from(PAGES),
        year=st.one_of(st.just("2026"), st.integers(min_value=0, max_value=10**30).map(str)),
        code=st.one_of(st.just("3573"), segment),
        text=segment,
    )
    def run(template, year, code, text):
        url = template.format(year=year, code=quote(code, safe=""), text=quote(text, safe=""))
        assert_polite(client.get(url), json_expected=False)

    run()


def test_any_query_parameters(client_for, bnnk_a, site):
    collection, link = site
    client = client_for(bnnk_a)
    pages = [
        "/wilayah/",
        "/survei/periode/",
        f"/survei/periode/2026/{collection.regency.code}/",
        f"/survei/periode/2026/{collection.regency.code}/riwayat/",
        f"/survei/periode/2026/{collection.regency.code}/tautan/",
        "/survei/progres/",
        "/notifikasi/",
        f"/r/{link.token}/",
        "/readyz",
    ]

    @FUZZ
    @given(page=st.sampled_from(pages), params=st.dictionaries(st.sampled_from(QUERY_PARAMS), text_input))
    def run(page, params):
        assert_polite(client.get(page, params), json_expected=False)

    run()


@pytest.mark.parametrize(
    "url",
    ["/wilayah/?q=a%00b", "/survei/periode/2026/35%0073/", "/r/abc%00def/", "/r/abc%00/jawaban/"],
)
def test_nul_in_the_url_is_a_400_in_indonesian(client_for, bnnk_a, site, url):
    response = client_for(bnnk_a).get(url)
    assert response.status_code == 400
    assert "Permintaan tidak dapat dibaca" in response.content.decode()
    response = client_for(bnnk_a).post(url, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["message"]


def test_injection_in_a_search_is_shown_escaped(client_for, bnnk_a):
    body = client_for(bnnk_a).get("/wilayah/", {"q": SCRIPT + "' OR 1=1 --"}).content.decode()
    assert SCRIPT not in body
