"""Which period the dashboards and the report card open on (reports.selectors.report_periods): the
current period (the newest whose collection has opened), with the last published year one click away
and provisional scores and ranks labelled "sementara".

The world (tests/scored_data.py, with last year's dates moved into the past so that it is published):
PUBLISHED (verification over): 3507 70, 1504 60, 3573 50, all verified. YEAR (being verified): Kota
Malang 3573 verified 80, Kabupaten Malang 3507 submitted 65 (provisional), Batanghari 1504 final 55.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Collection, Period, Questionnaire
from regions.models import Regency
from reports.selectors import is_published, report_periods
from tests.chart_marks import page_series
from tests.factories import group, make_collection, make_period, make_score, question
from tests.scored_data import YEAR, scored_period

PUBLISHED = YEAR - 1
TODAY = datetime.date(2026, 12, 6)


def _p(year, opens, verification, has_results, *, synthetic=False) -> dict:
    """A period row as periods_for_reports gives it (collection deadline a month after opening)."""
    opens = datetime.date.fromisoformat(opens)
    return {
        "id": year,
        "year": year,
        "is_synthetic": synthetic,
        "collection_opens": opens,
        "collection_deadline": opens + datetime.timedelta(days=30),
        "verification_deadline": datetime.date.fromisoformat(verification),
        "has_results": has_results,
    }


# --- the rule, a pure function -----------------------------------------------------------------------------


def _years(choice) -> tuple:
    return tuple(p and p["year"] for p in (choice.current, choice.published, choice.default))


def test_current_is_the_newest_opened_period_and_published_the_newest_finished_one():
    periods = [  # newest first; 2027 is set up in advance, its collection not open yet
        _p(2027, "2027-11-01", "2028-01-15", False),
        _p(2026, "2026-11-06", "2027-01-19", True),  # being verified: some results already
        _p(2025, "2025-10-01", "2025-12-20", True),
    ]
    assert _years(report_periods(periods, TODAY)) == (2026, 2025, 2026)


def test_current_period_with_no_scores_yet_is_still_the_default():
    periods = [_p(2026, "2026-11-06", "2027-01-19", False), _p(2025, "2025-10-01", "2025-12-20", True)]
    assert _years(report_periods(periods, TODAY)) == (2026, 2025, 2026)


def test_a_fresh_demo_opens_on_the_real_year_with_the_synthetic_history_published():
    periods = [
        _p(2026, "2026-11-06", "2027-01-19", False),
        _p(2025, "2025-10-01", "2025-12-20", True, synthetic=True),
        _p(2024, "2024-10-01", "2024-12-20", True, synthetic=True),
    ]
    choice = report_periods(periods, TODAY)
    assert _years(choice) == (2026, 2025, 2026) and choice.published["is_synthetic"]


def test_only_synthetic_history_opens_on_its_newest_year():
    periods = [
        _p(2025, "2025-10-01", "2025-12-20", True, synthetic=True),
        _p(2024, "2024-10-01", "2024-12-20", True, synthetic=True),
    ]
    assert _years(report_periods(periods, TODAY)) == (2025, 2025, 2025)


def test_after_the_verification_deadline_the_current_period_is_the_published_one():
    periods = [_p(2026, "2026-08-01", "2026-11-30", True), _p(2025, "2025-10-01", "2025-12-20", True)]
    assert _years(report_periods(periods, TODAY)) == (2026, 2026, 2026)
    # ... but not without a verified result: then the year before stays the last published one
    periods[0]["has_results"] = False
    assert _years(report_periods(periods, TODAY)) == (2026, 2025, 2026)


def test_published_only_after_the_deadline_day():
    period = _p(2026, "2026-08-01", "2026-12-06", True)
    assert not is_published(period, TODAY)
    assert is_published(period, TODAY + datetime.timedelta(days=1))


def test_no_current_period_opens_on_the_newest_and_nothing_is_published():
    periods = [_p(2027, "2027-01-10", "2027-03-01", False)]
    assert _years(report_periods(periods, TODAY)) == (None, None, 2027)
    assert _years(report_periods([], TODAY)) == (None, None, None)


# --- the pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def world(db, regency_a, regency_b, regency_other):
    period = scored_period(regency_a, regency_b, regency_other)
    today = timezone.localdate()
    Period.objects.filter(year=PUBLISHED).update(
        collection_opens=today - datetime.timedelta(days=400),
        collection_deadline=today - datetime.timedelta(days=340),
        verification_deadline=today - datetime.timedelta(days=320),
    )
    # set up in advance: its collection opens next week, so it is not the current period
    make_period(period.instrument, [regency_a], year=YEAR + 1, opens_days_ago=-7, deadline_in_days=30)
    return period


def _get(client, name, args, **params):
    """The response and its page text without the charts' data (a trend's axis names every year, and
    marks a later year not yet published "sementara" whichever year the page is on)."""
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    html = response.content.decode()
    return response, re.sub(r'<figure class="kotan-chart".*?</figure>', "", html, flags=re.S)


PAGES = [
    ("pusat", "reports:national", []),
    ("bnnp_a", "reports:province", ["35"]),
    ("bnnk_a", "reports:regency", ["3573"]),
]


@pytest.mark.parametrize("who,name,args", PAGES)
def test_each_page_opens_on_the_current_period_with_the_published_year_one_click_away(
    request, client_for, world, who, name, args
):
    client = client_for(request.getfixturevalue(who))
    response, page = _get(client, name, args)
    assert response.context["period"]["year"] == YEAR
    assert re.search(rf'href="\?tahun={PUBLISHED}" data-testid="published-link"', page)
    assert f"Lihat hasil terbit terakhir ({PUBLISHED})" in page
    assert "periode berjalan" in page and f"<strong>{YEAR}</strong>" in page
    assert 'data-testid="current-link"' not in page
    # ?tahun= still picks any year; the way back to the current period is then offered
    response, page = _get(client, name, args, tahun=PUBLISHED)
    assert response.context["period"]["year"] == PUBLISHED
    assert "Hasil terbit terakhir: periode" in page and 'data-testid="published-link"' not in page
    assert f'href="?tahun={YEAR}" data-testid="current-link"' in page
    assert _get(client, name, args, tahun=YEAR + 1)[0].context["period"]["year"] == YEAR + 1


def test_the_period_picker_still_lists_every_year_synthetic_marked(client_for, pusat, world):
    Period.objects.filter(year=PUBLISHED).update(is_synthetic=True)
    _response, page = _get(client_for(pusat), "reports:national", [])
    picker = re.search(r'<select[^>]*name="tahun">(.*?)</select>', page, re.S).group(1)
    years = re.findall(r'<option value="(\d+)"', picker)
    assert years == [str(YEAR + 1), str(YEAR), str(PUBLISHED)]
    assert f"{PUBLISHED} · sintetis" in picker
    assert f"Lihat hasil terbit terakhir ({PUBLISHED}, data sintetis)" in page


def test_national_ranking_is_provisional_only_while_the_period_is_verified(client_for, pusat, world):
    client = client_for(pusat)
    _response, page = _get(client, "reports:national", [])
    assert page.count('data-testid="provisional-ranking"') == 1
    assert 'data-testid="provisional-legend"' in page and "Peringkat sementara" in page
    assert "skor terverifikasi, sementara" in page
    response, page = _get(client, "reports:national", [], tahun=PUBLISHED)
    assert "sementara" not in page
    assert response.context["totals"]["sent"] == 3


def test_province_labels_exactly_the_unverified_scores_provisional(client_for, bnnp_a, world):
    client = client_for(bnnp_a)
    response, page = _get(client, "reports:province", ["35"])
    rows = {r["code"]: r for r in response.context["rows"]}
    assert rows["3507"]["provisional"] == 65.0 and rows["3573"]["provisional"] is None
    assert page.count('data-testid="provisional"') == 1  # Kabupaten Malang, submitted
    row = re.search(r'data-regency="3507">.*?</tr>', page, re.S).group(0)
    assert "65,00" in row and 'data-testid="provisional"' in row
    assert "Terverifikasi / sementara" in page and 'data-testid="provisional-legend"' in page
    assert 'data-testid="provisional-ranking"' in page  # averages and # ranks: period being verified
    assert response.context["totals"]["sent"] == 2
    _response, page = _get(client, "reports:province", ["35"], tahun=PUBLISHED)
    assert "sementara" not in page


def test_province_shows_questionnaires_collected_against_the_quota(client_for, bnnp_a, world, regency_b):
    collection = Collection.objects.get(period=world, regency=regency_b)
    Questionnaire.objects.create(
        collection=collection,
        group=group(world.instrument, "keluarga"),
        state="complete",
        completed_at=timezone.now(),
    )
    _response, page = _get(client_for(bnnp_a), "reports:province", ["35"])
    row = re.search(r'data-regency="3507">.*?</tr>', page, re.S).group(0)
    assert ">1/3<" in row  # quotas keluarga 2 + instansi 1
    assert ">0/3<" in re.search(r'data-regency="3573">.*?</tr>', page, re.S).group(0)


def test_report_card_of_a_submitted_collection_is_provisional(client_for, bnnk_b, world):
    response, page = _get(client_for(bnnk_b), "reports:regency", ["3507"])
    assert response.context["period"]["year"] == YEAR and not response.context["is_verified"]
    title = re.search(r'<h2 class="h6" id="score-title">.*?</h2>', page, re.S).group(0)
    assert "belum diverifikasi" in title and 'data-testid="provisional"' in title
    assert "Skor sementara: koleksi ini belum diverifikasi" in page
    assert 'data-testid="provisional-ranking"' not in page  # not ranked at all


def test_report_card_of_a_verified_collection_has_a_provisional_rank_until_published(
    client_for, bnnk_a, world
):
    client = client_for(bnnk_a)
    _response, page = _get(client, "reports:regency", ["3573"])
    assert 'data-testid="provisional"' not in page
    rank = re.search(r'data-testid="rank">.*?</dd>', page, re.S).group(0)
    assert "1 dari 2" in rank and 'data-testid="provisional-ranking"' in rank
    _response, page = _get(client, "reports:regency", ["3573"], tahun=PUBLISHED)
    assert "sementara" not in page


def test_report_card_opens_on_its_own_collection_while_collecting(client_for, pusat, world):
    sidoarjo = Regency.objects.get(code="3515")
    collection = make_collection(sidoarjo, world)
    inst = world.instrument
    q = Questionnaire.objects.create(
        collection=collection, group=group(inst, "keluarga"), state="complete", completed_at=timezone.now()
    )
    Answer.objects.create(questionnaire=q, question=question(inst, "q_likert"), value=4)
    response, page = _get(client_for(pusat), "reports:regency", ["3515"])
    assert response.context["period"]["year"] == YEAR and response.context["collection"]["state"] == "draft"
    assert "Kuesioner lengkap sejauh ini: 1 dari kuota 3." in page
    assert f'href="/survei/periode/{YEAR}/3515/" data-testid="survey-link"' in page
    assert 'data-score-state="provisional"' in page and "sementara, belum dikirim" in page
    # Sidoarjo took no part in the published year: nothing of its own is published yet
    assert 'data-testid="no-published"' in page and 'data-testid="published-link"' not in page


def test_report_card_of_a_kab_kota_outside_the_current_period_opens_on_its_own_last_year(
    client_for, pusat, world
):
    surabaya = Regency.objects.get(code="3578")
    collection = make_collection(surabaya, Period.objects.get(year=PUBLISHED))
    Collection.objects.filter(pk=collection.pk).update(state="verified")
    make_score(collection, 72.0, {"KK": 72.0, "KL": 72.0})
    response, page = _get(client_for(pusat), "reports:regency", ["3578"])
    assert response.context["period"]["year"] == PUBLISHED
    assert response.context["current"]["overall"] == 72.0 and "sementara" not in page


def test_only_synthetic_results_and_a_current_period_without_scores(client_for, pusat, regency_a):
    history = make_period(year=2030, opens_days_ago=400, deadline_in_days=-340)
    collection = make_collection(regency_a, history)
    Collection.objects.filter(pk=collection.pk).update(state="verified")
    make_score(collection, 61.0, {"KK": 61.0, "KL": 61.0})
    Period.objects.filter(pk=history.pk).update(is_synthetic=True)
    make_period(history.instrument, [regency_a], year=2031)
    response, page = _get(client_for(pusat), "reports:national", [])
    assert response.context["period"]["year"] == 2031 and response.context["totals"]["ranked"] == 0
    assert 'href="?tahun=2030" data-testid="published-link"' in page
    assert "Lihat hasil terbit terakhir (2030, data sintetis)" in page


def test_nothing_published_yet_is_said(client_for, pusat, regency_a, regency_b, regency_other):
    scored_period(regency_a, regency_b, regency_other)  # both years still being verified
    _response, page = _get(client_for(pusat), "reports:national", [])
    assert 'data-testid="no-published"' in page and 'data-testid="published-link"' not in page


# --- queries: the rule costs none ---------------------------------------------------------------------------


def _count(client, url) -> int:
    """The queries of a page built anew (not from the dashboards' cache, reports.page_cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who,name,args", [*PAGES, ("pusat", "reports:regency", ["3515"])])
def test_the_default_costs_what_asking_for_the_year_costs(request, client_for, world, who, name, args):
    make_collection(Regency.objects.get(code="3515"), world)  # a draft: the card's collecting branch
    client = client_for(request.getfixturevalue(who))
    url = reverse(name, args=args)
    default = _count(client, url)
    assert default == _count(client, f"{url}?tahun={YEAR}")
    make_period(world.instrument, [], year=YEAR - 5, opens_days_ago=2000, deadline_in_days=-1900)
    assert _count(client, url) == default


def test_trend_marks_the_years_not_published_yet(client_for, pusat, world):
    for params in ({}, {"tahun": PUBLISHED}):
        response = client_for(pusat).get(reverse("reports:national"), params)
        tips = page_series(response.content.decode())["chart-trend"]["Nasional"]
        ticks = [tip.split(" · ")[1].split(":")[0] for tip in tips]
        assert ticks[-1] == f"{YEAR} (sementara)" and not any("sementara" in t for t in ticks[:-1])
