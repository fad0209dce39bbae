"""The read-only API: content, auth (session and token), scope by role, pagination, schema and docs."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Collection
from regions.models import Regency
from reports.api import api_token_create
from reports.models import ApiToken
from tests.factories import make_collection, make_score
from tests.scored_data import YEAR, scored_period


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


def _get(client, url, **kw):
    response = client.get(url, **kw)
    return response.status_code, response.json()


def test_anonymous_is_refused(client, period):
    for url in ["/api/periods", f"/api/periods/{YEAR}/scores", f"/api/periods/{YEAR}/ranking"]:
        assert client.get(url).status_code == 401


def test_periods_list(client_for, bnnk_a, period):
    status, body = _get(client_for(bnnk_a), "/api/periods")
    assert status == 200
    assert [p["year"] for p in body] == [YEAR, YEAR - 1]
    first = body[0]
    assert first["participants"] == 3
    assert first["variables"] == [
        {"code": "KK", "name": "Ketahanan Keluarga"},
        {"code": "KL", "name": "Kelembagaan"},
    ]
    assert first["target_count"] == 1 and first["is_synthetic"] is False
    status, one = _get(client_for(bnnk_a), f"/api/periods/{YEAR}")
    assert status == 200 and one == first
    assert client_for(bnnk_a).get("/api/periods/1999").status_code == 404


def test_scores_for_pusat(client_for, pusat, period):
    status, body = _get(client_for(pusat), f"/api/periods/{YEAR}/scores")
    assert status == 200
    assert body["count"] == 3 and body["pages"] == 1
    by_code = {r["code"]: r for r in body["results"]}
    malang = by_code["3573"]
    assert malang["name"] == "Kota Malang" and malang["province_code"] == "35"
    assert malang["state"] == "verified"
    assert malang["current"] == 80.0 and malang["verified"] == 80.0 and malang["submitted"] == 78.0
    assert malang["variables"] == {"KK": 90.0, "KL": 70.0}
    assert malang["category"] == "Tanggap"
    # submitted, not verified: no verified score
    assert by_code["3507"]["current"] == 65.0 and by_code["3507"]["verified"] is None


def test_scores_list_a_collection_without_a_stored_score(client_for, pusat, period, province_a):
    """A period still collecting: scored and unscored collections side by side (was a 500 on the NaT)."""
    regency = Regency.objects.filter(province=province_a).exclude(code__in=["3573", "3507"]).first()
    make_collection(regency, period)
    status, body = _get(client_for(pusat), f"/api/periods/{YEAR}/scores")
    assert status == 200 and body["count"] == 4
    by_code = {r["code"]: r for r in body["results"]}
    draft = by_code[regency.code]
    assert draft["state"] == "draft" and draft["current"] is None and draft["computed_at"] is None
    assert draft["variables"] == {"KK": None, "KL": None} and draft["respondents"] == 0
    assert by_code["3573"]["computed_at"] is not None


def test_bnnp_of_another_province_sees_nothing_of_province_a(client_for, bnnp_other, period):
    client = client_for(bnnp_other)
    _, scores = _get(client, f"/api/periods/{YEAR}/scores")
    _, ranking = _get(client, f"/api/periods/{YEAR}/ranking")
    assert [r["code"] for r in scores["results"]] == ["1504"]
    assert [r["code"] for r in ranking["results"]] == ["1504"]
    assert ranking["results"][0]["rank"] == 2 and ranking["results"][0]["n"] == 2
    text = str(scores) + str(ranking)
    assert "Malang" not in text and "Jawa Timur" not in text


def test_bnnp_and_bnnk_scope(client_for, bnnp_a, bnnk_a, period):
    _, body = _get(client_for(bnnp_a), f"/api/periods/{YEAR}/scores")
    assert sorted(r["code"] for r in body["results"]) == ["3507", "3573"]
    _, body = _get(client_for(bnnk_a), f"/api/periods/{YEAR}/scores")
    assert [r["code"] for r in body["results"]] == ["3573"]


def test_ranking_content(client_for, pusat, period):
    _, body = _get(client_for(pusat), f"/api/periods/{YEAR}/ranking")
    assert body["count"] == 2
    first, second = body["results"]
    # Movement among the kab/kota ranked in both years (last year: Batanghari 60 ahead of Malang 50).
    assert (first["code"], first["rank"], first["n"], first["movement"]) == ("3573", 1, 2, 1)
    assert first["variable_ranks"] == {"KK": 1, "KL": 1}
    assert first["verified"] == 80.0 and first["submitted"] == 78.0
    assert (second["code"], second["rank"], second["movement"]) == ("1504", 2, -1)


def test_pagination(client_for, pusat, period):
    client = client_for(pusat)
    _, body = _get(client, f"/api/periods/{YEAR}/scores?page_size=2&page=2")
    assert body["count"] == 3 and body["pages"] == 2 and body["page"] == 2
    assert [r["code"] for r in body["results"]] == ["3573"]
    assert client.get(f"/api/periods/{YEAR}/scores?page_size=501").status_code == 422
    assert client.get(f"/api/periods/{YEAR}/scores?page=0").status_code == 422


def test_token_auth_scopes_to_the_token_user(client, bnnp_other, period):
    _obj, token = api_token_create(user=bnnp_other, name="uji")
    status, body = _get(client, f"/api/periods/{YEAR}/scores", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert status == 200
    assert [r["code"] for r in body["results"]] == ["1504"]
    stored = ApiToken.objects.get()
    assert stored.key_hash != token and token.startswith(stored.prefix)
    assert stored.last_used_at is not None
    assert client.get("/api/periods", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/periods", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_api_token_command(bnnk_a, capsys):
    call_command("api_token", "create", "bnnk_a", "--name", "skrip")
    token = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(user=bnnk_a).prefix == token[:8]
    call_command("api_token", "revoke", token[:8])
    assert ApiToken.objects.get().revoked_at is not None


def test_read_only(client_for, pusat, period):
    assert client_for(pusat).post(f"/api/periods/{YEAR}/scores").status_code == 405


def test_root_lists_endpoints_schema_and_docs_without_login(client, client_for, bnnk_a, period):
    status, body = _get(client, "/api/")
    assert status == 200
    assert body["openapi"] == "/api/openapi.json" and body["docs"] == "/api/docs"
    assert "Bearer" in body["auth"]
    assert [(e["method"], e["path"], e["auth"]) for e in body["endpoints"]] == [
        ("GET", "/api/periods", True),
        ("GET", "/api/periods/{year}", True),
        ("GET", "/api/periods/{year}/scores", True),
        ("GET", "/api/periods/{year}/ranking", True),
    ]
    assert all(e["summary"] for e in body["endpoints"])
    # The links it gives work; the endpoints keep their own auth.
    assert client.get(body["openapi"]).status_code == 200 and client.get(body["docs"]).status_code == 200
    assert client.get("/api/periods").status_code == 401
    # The same answer for a logged-in user and for a token holder: it holds nothing of their scope.
    _obj, token = api_token_create(user=bnnk_a)
    assert _get(client_for(bnnk_a), "/api/") == (200, body)
    assert _get(client, "/api/", HTTP_AUTHORIZATION=f"Bearer {token}") == (200, body)
    assert client.post("/api/").status_code == 405


def test_schema_and_docs_without_cdn(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/periods", "/api/periods/{year}/scores", "/api/periods/{year}/ranking"} <= set(
        schema["paths"]
    )
    assert "BearerAuth" in str(schema["components"]["securitySchemes"]) or "TokenAuth" in str(
        schema["components"]["securitySchemes"]
    )
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_api_query_counts_do_not_grow_with_kab_kota(client_for, pusat, period, province_a):
    client = client_for(pusat)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [f"/api/periods/{YEAR}/scores", f"/api/periods/{YEAR}/ranking", "/api/periods"]
    before = [count(u) for u in urls]
    for regency in Regency.objects.filter(province=province_a).exclude(code__in=["3573", "3507"])[:15]:
        c = make_collection(regency, period)
        Collection.objects.filter(pk=c.pk).update(state="verified")
        make_score(c, 42.0, {"KK": 40.0, "KL": 44.0})
    assert [count(u) for u in urls] == before
