"""Dashboards from cache and 304s (issue 14, reports.page_cache): an unchanged dashboard answers 304 to a
conditional GET, a second request is served from the cache (fewer queries, the same page), and a stored
score, a state, a quota, a PDF link, the user or the language changes the answer.
"""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Collection
from reports import report_links
from reports.models import RenderedReport
from scoring.models import Score
from tests.scored_data import YEAR, scored_period

pytestmark = pytest.mark.django_db

PAGES = [
    ("pusat", "reports:national", []),
    ("bnnp_a", "reports:province", ["35"]),
    ("bnnk_a", "reports:regency", ["3573"]),
]


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


def _url(name, args) -> str:
    return reverse(name, args=args) + f"?tahun={YEAR}"


def _page(response) -> str:
    """The page without its CSRF tokens (masked afresh in every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _warm(client, url):
    """A first visit: it sets the CSRF cookie that every later page's forms (and ETag) rest on."""
    response = client.get(url)
    assert response.status_code == 200
    return client.get(url)


@pytest.mark.parametrize("who,name,args", PAGES)
def test_unchanged_dashboard_answers_304(request, client_for, period, who, name, args):
    client = client_for(request.getfixturevalue(who))
    url = _url(name, args)
    first = _warm(client, url)
    tag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)
    assert first["Cache-Control"] == "private, no-cache"  # this user's browser only, asked each time
    assert "Last-Modified" not in first
    again = client.get(url, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == tag and "private" in again["Cache-Control"]
    # as the gzip middleware sends it (weak), and after gzip
    assert client.get(url, headers={"if-none-match": f"W/{tag}"}).status_code == 304
    gzipped = client.get(url, headers={"accept-encoding": "gzip"})
    assert gzipped["ETag"] == f"W/{tag}"
    assert client.get(url, headers={"if-none-match": gzipped["ETag"]}).status_code == 304


@pytest.mark.parametrize("who,name,args", PAGES)
def test_second_request_is_served_from_cache(request, client_for, period, who, name, args):
    client = client_for(request.getfixturevalue(who))
    url = _url(name, args)
    client.get(url)  # the CSRF cookie
    cache.clear()
    with CaptureQueriesContext(connection) as built:
        first = client.get(url)
    with CaptureQueriesContext(connection) as cached:
        second = client.get(url)
    assert len(cached.captured_queries) < len(built.captured_queries)
    assert _page(second) == _page(first)
    assert second["ETag"] == first["ETag"]


@pytest.mark.parametrize("who,name,args", PAGES)
def test_stored_score_shows_at_the_next_request(request, client_for, period, regency_a, who, name, args):
    client = client_for(request.getfixturevalue(who))
    url = _url(name, args)
    before = _warm(client, url)
    assert "83,5" not in _page(before)
    score = Score.objects.get(collection__period=period, collection__regency=regency_a, basis="current")
    score.overall, score.reported, score.computed_at = 83.5, 83.5, timezone.now()
    score.save()  # as the score task stores a new result
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "83,5" in _page(after)


@pytest.mark.parametrize("who,name,args", PAGES)
def test_each_period_and_kind_has_its_own_page(request, client_for, period, who, name, args):
    """Two periods whose own inputs are alike (no questionnaire, no stored report) still differ."""
    client = client_for(request.getfixturevalue(who))
    url = reverse(name, args=args)
    this_year = _warm(client, f"{url}?tahun={YEAR}")
    last_year = client.get(f"{url}?tahun={YEAR - 1}", headers={"if-none-match": this_year["ETag"]})
    assert last_year.status_code == 200 and last_year["ETag"] != this_year["ETag"]
    assert last_year.context["period"]["year"] == YEAR - 1
    assert _page(last_year) != _page(this_year)
    if name != "reports:regency":
        kind = client.get(f"{url}?tahun={YEAR}&jenis=kota", headers={"if-none-match": this_year["ETag"]})
        assert kind.status_code == 200 and len(kind.context["rows"]) < len(this_year.context["rows"])


def test_bulk_state_change_and_quota_change_the_etag(client_for, bnnp_a, period, regency_b):
    client = client_for(bnnp_a)
    url = _url("reports:province", ["35"])
    tag = _warm(client, url)["ETag"]
    # a state written without save() (no updated_at): the weighed sum of states still moves
    Collection.objects.filter(period=period, regency=regency_b).update(state="verified")
    response = client.get(url, headers={"if-none-match": tag})
    assert response.status_code == 200 and response["ETag"] != tag
    assert response.context["totals"]["verified"] == 2


def test_pdf_link_state_changes_the_etag(client_for, bnnk_a, period):
    client = client_for(bnnk_a)
    url = _url("reports:regency", ["3573"])
    tag = _warm(client, url)["ETag"]
    assert report_links.claim(period.pk, RenderedReport.ScopeKind.REGENCY, "3573")  # "Siapkan PDF"
    response = client.get(url, headers={"if-none-match": tag})
    assert response.status_code == 200 and response["ETag"] != tag


def test_etag_is_per_user_and_scope(client_for, pusat, bnnp_a, period):
    """BNN pusat and the province's BNNP see the same kab/kota here, yet one's 304 is never the other's."""
    url = _url("reports:province", ["35"])
    tag = _warm(client_for(pusat), url)["ETag"]
    bnnp = client_for(bnnp_a)
    mine = _warm(bnnp, url)["ETag"]
    assert mine != tag
    answer = bnnp.get(url, headers={"if-none-match": tag})
    assert answer.status_code == 200 and answer["ETag"] == mine


def test_etag_is_per_language_and_session(client_for, bnnk_a, period, settings):
    client = client_for(bnnk_a)
    url = _url("reports:regency", ["3573"])
    tag = _warm(client, url)["ETag"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url, headers={"if-none-match": tag})
    assert english.status_code == 200 and english["ETag"] != tag
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert client.get(url, headers={"if-none-match": tag}).status_code == 304
    client.force_login(bnnk_a)  # a new session (its forms carry a token of the CSRF secret)
    client.cookies.pop(settings.CSRF_COOKIE_NAME)
    relogged = _warm(client, url)
    assert relogged["ETag"] != tag


def test_waiting_messages_are_never_hidden_by_a_304(client_for, bnnk_a, period, rf):
    client = client_for(bnnk_a)
    url = _url("reports:regency", ["3573"])
    tag = _warm(client, url)["ETag"]
    storage = CookieStorage(rf.get(url))  # a message left by the last POST, in its cookie
    storage.add(constants.INFO, "Pesan untuk pengguna")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    response = client.get(url, headers={"if-none-match": tag})
    assert response.status_code == 200 and "ETag" not in response
    assert "Pesan untuk pengguna" in _page(response)
    assert client.get(url, headers={"if-none-match": tag}).status_code == 304  # shown once, then gone
