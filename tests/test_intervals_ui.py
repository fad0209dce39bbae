"""Issue 17's intervals where people read them: the national ranking ("1 dari 2, rentang 1–2", the index's
95 % interval), the report card (in words, per variable, "mendekati batas kategori") and its PDF, the JSON
API and the ranking CSV/XLSX; a rank range only from RankIntervals of the ranked set shown; the pages'
fingerprint and ETag follow the intervals.

The intervals are written straight into the scored period (tests.intervals_data), as the score tasks store
them; the engine that computes them is tested on its own (scoring.intervals)."""

import csv
import io

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import workflow
from assessments.models import Collection
from reports import pdf, rendering, selectors, uncertainty
from scoring import engine
from scoring.models import RankIntervals, Score
from tests.intervals_data import add_intervals, current_scores
from tests.scored_data import YEAR, scored_period
from tests.test_score_recovery import two_provinces  # noqa: F401  (fixture)

FIVE = engine.BandSpec(
    kind=engine.FIXED,
    labels=("A", "B", "C", "D", "E"),
    uppers=(20.0, 40.0, 60.0, 80.0, 100.0),
)
RELATIVE = engine.BandSpec(
    kind=engine.RELATIVE, labels=("R", "T", "ST"), scale_min=1, scale_max=4, decimals=3
)


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


@pytest.fixture
def intervals(period):
    return add_intervals(period)


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


NATIONAL = reverse("reports:national") + f"?tahun={YEAR}"
CARD = reverse("reports:regency", args=["3573"]) + f"?tahun={YEAR}"


# --- the pure helpers (reports.uncertainty) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "flag"),
    [
        ((62.0, 78.5), False),  # inside "D" (60.01-80)
        ((78.4, 81.6), True),  # lo < 80 < hi
        ((75.0, 80.0), False),  # hi on the upper edge: 80.00 still belongs to D (engine.fixed_categories)
        ((80.0, 81.0), True),  # lo on the edge is D, hi is E
        ((80.001, 81.0), True),  # 80.001 rounds to the scheme's 80.00: D, as the engine reads it
        ((80.006, 81.0), False),  # 80.01: E, like hi
    ],
)
def test_fixed_scheme_flags_an_interval_across_an_upper_edge(interval, flag):
    edges = uncertainty.category_edges(FIVE, pd.Series([], dtype=float))
    assert uncertainty.near_band_edge(interval, FIVE, edges) is flag


def test_fixed_scheme_agrees_with_the_engine_on_both_ends():
    edges = uncertainty.category_edges(FIVE, pd.Series([], dtype=float))
    assert edges == [20.0, 40.0, 60.0, 80.0]  # the top (100) is no edge between two categories
    for lo, hi in [(19.0, 20.0), (20.0, 20.5), (39.99, 40.0), (40.0, 40.01), (99.0, 100.0)]:
        cats = engine.fixed_categories(pd.Series([lo, hi]), FIVE)
        assert uncertainty.near_band_edge((lo, hi), FIVE, edges) is (cats.iloc[0] != cats.iloc[1])


def test_relative_scheme_uses_the_edges_the_period_computed_and_an_edge_belongs_above():
    reported = pd.Series([2.6, 3.0, 3.5, 4.0])
    edges = uncertainty.category_edges(RELATIVE, reported)
    assert edges == engine.relative_edges(reported, RELATIVE) == [3.067, 3.533]
    assert not uncertainty.near_band_edge((3.1, 3.5), RELATIVE, edges)  # inside T
    assert uncertainty.near_band_edge((3.0, 3.1), RELATIVE, edges)  # lo < 3.067 < hi
    assert uncertainty.near_band_edge((3.4, 3.533), RELATIVE, edges)  # hi on the edge is ST already
    assert not uncertainty.near_band_edge((3.533, 3.6), RELATIVE, edges)  # lo on the edge is ST too
    # no category while a participant has no score: no edge, no flag
    assert uncertainty.category_edges(RELATIVE, pd.Series([2.6, None])) == []


def test_interval_reads_only_two_finite_numbers():
    ci = {"reported": [1, 2], "overall": [1], "variables": {"KK": [3.5, "x"], "KL": [4, 5]}}
    assert uncertainty.interval(ci, "reported") == (1.0, 2.0)
    assert uncertainty.interval(ci, "overall") is None
    assert uncertainty.interval({}, "reported") is None and uncertainty.interval(None, "reported") is None
    assert uncertainty.variable_intervals(ci, ["KK", "KL", "ZZ"]) == {"KL": (4.0, 5.0)}
    assert uncertainty.interval_text((69.84, 72.91)) == "69,8–72,9"
    assert uncertainty.interval_text((3.071, 3.254)) == "3,07–3,25"  # a small scale keeps two decimals


def test_rank_ranges_only_from_the_ranked_set_shown(period, intervals):
    frame = selectors.period_scores(period, None, [])
    stored = (intervals.fingerprint, intervals.data)
    ranges = uncertainty.rank_ranges(frame, stored)
    cid = current_scores(period)["3573"].collection_id
    assert ranges.current and ranges.of(cid) == (1, 2) and ranges.of(cid, "province") == (1, 1)
    # one ranked score recomputed (a new input hash): the stored ranges are of another set
    moved = frame.assign(input_hash=frame["input_hash"].where(frame["code"] != "1504", "hash-new"))
    stale = uncertainty.rank_ranges(moved, stored)
    assert not stale.current and stale.of(cid) is None
    assert not uncertainty.rank_ranges(frame, None).current


# --- the national ranking -----------------------------------------------------------------------------


def test_national_ranking_shows_rank_ranges_and_index_intervals(client_for, pusat, intervals):
    html = _html(client_for(pusat), NATIONAL)
    row = html[html.index('data-regency="3573"') :].split("</tr>")[0]
    assert "rentang 1–2" in row and "78,4–81,6" in row
    assert 'title="95 %: 87,5–92,3"' in row  # KK's interval on its cell
    assert 'data-testid="ranges-glossary"' in html and "Apa arti rentang?" in html
    assert "sekitar 180 responden" in html
    assert 'data-testid="ranges-pending"' not in html


def test_stale_rank_intervals_print_no_range_and_say_they_are_being_computed(client_for, pusat, period):
    add_intervals(period, rank_fingerprint="0" * 64)
    html = _html(client_for(pusat), NATIONAL)
    assert 'data-testid="rank-range"' not in html and "rentang 1–2" not in html
    assert "Rentang peringkat sedang dihitung." in html
    assert "78,4–81,6" in html  # the index's own interval does not depend on the ranked set


def test_kind_filter_ranks_its_own_set_without_the_national_ranges(client_for, pusat, intervals):
    html = _html(client_for(pusat), NATIONAL + "&jenis=kota")
    assert 'data-testid="rank-range"' not in html
    assert "pilih “Kabupaten dan kota”" in html


def test_without_any_interval_the_ranking_is_as_before(client_for, pusat, period):
    html = _html(client_for(pusat), NATIONAL)
    assert 'data-testid="index-ci"' not in html and 'data-testid="ranges-glossary"' not in html


# --- the report card -----------------------------------------------------------------------------------


def test_report_card_says_the_intervals_in_words_and_flags_the_category(client_for, bnnk_a, intervals):
    html = _html(client_for(bnnk_a), CARD)
    assert "Indeks 80,00; dengan keyakinan 95\u00a0% antara 78,4 dan 81,6." in html
    assert "Peringkat nasional 1 dari 2; dengan ketidakpastian sampel, peringkatnya antara 1 dan 2." in html
    assert "(rentang 1–2)" in html
    assert 'data-testid="near-edge"' in html  # 78.4-81.6 holds Tanggap (to 80.00) and Sangat Tanggap
    variables = html[html.index('data-testid="variables"') :].split("</table>")[0]
    assert "87,5–92,3" in variables and "66,0–73,5" in variables


def test_report_card_inside_one_category_has_no_flag(client_for, bnnk_other, intervals):
    html = _html(client_for(bnnk_other), reverse("reports:regency", args=["1504"]) + f"?tahun={YEAR}")
    assert "antara 52,1 dan 57,9" in html  # inside Cukup Tanggap (40.01-60.00)
    assert 'data-testid="near-edge"' not in html


def test_report_card_with_a_rank_range_of_one_place_says_so_instead_of_between(client_for, bnnk_a, intervals):
    data = {key: {**value, "national": [1, 1]} for key, value in intervals.data.items()}
    RankIntervals.objects.filter(pk=intervals.pk).update(data=data)
    html = _html(client_for(bnnk_a), CARD)
    assert "Peringkat nasional 1 dari 2; ketidakpastian sampel tidak mengubahnya." in html
    assert "peringkatnya antara 1 dan 1" not in html


def test_report_card_with_stale_rank_intervals_prints_no_rank_range(client_for, bnnk_a, period):
    add_intervals(period, rank_fingerprint="f" * 64)
    html = _html(client_for(bnnk_a), CARD)
    assert "peringkatnya antara" not in html and "(rentang" not in html
    assert "Rentang peringkat sedang dihitung." in html


# --- the pages' fingerprint and ETag ------------------------------------------------------------------


@pytest.mark.parametrize(("who", "url"), [("pusat", NATIONAL), ("bnnk_a", CARD)])
def test_changed_intervals_change_the_page_and_its_etag(request, client_for, intervals, who, url):
    client = client_for(request.getfixturevalue(who))
    client.get(url)  # the CSRF cookie the ETag rests on
    before = client.get(url)
    assert "78,4–81,6" in before.content.decode() or "antara 78,4 dan 81,6" in before.content.decode()
    # A recomputed interval of the same answers (computed_at and the values unchanged): the cached page
    # must not keep printing the old one.
    score = Score.objects.get(
        collection__regency__code="3573", collection__period=intervals.period, basis="current"
    )
    Score.objects.filter(pk=score.pk).update(ci={**score.ci, "reported": [77.1, 82.9]})
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert "77,1" in after.content.decode()
    # New rank intervals of the period (same set, other ranges)
    RankIntervals.objects.filter(pk=intervals.pk).update(
        data={k: {"national": [1, 1], "province": [1, 1]} for k in intervals.data}, computed_at=timezone.now()
    )
    again = client.get(url, headers={"if-none-match": after["ETag"]})
    assert again.status_code == 200 and again["ETag"] != after["ETag"]


# --- API -----------------------------------------------------------------------------------------------


def test_openapi_schema_documents_the_interval_fields(client):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    for name in ("ScoreOut", "RankingOut"):
        props = schemas[name]["properties"]
        for field in ("ci_low", "ci_high", "rank_low", "rank_high", "variables_ci"):
            assert field in props and "95 %" in props[field]["description"], (name, field)
        assert field not in schemas[name].get("required", [])


def test_api_items_carry_the_intervals(client_for, pusat, intervals):
    client = client_for(pusat)
    ranking = {r["code"]: r for r in client.get(f"/api/periods/{YEAR}/ranking").json()["results"]}
    malang = ranking["3573"]
    assert (malang["ci_low"], malang["ci_high"], malang["rank_low"], malang["rank_high"]) == (
        78.4,
        81.6,
        1,
        2,
    )
    assert malang["variables_ci"] == {"KK": [87.5, 92.25], "KL": [66.0, 73.5]}
    assert (malang["province_rank_low"], malang["province_rank_high"]) == (1, 1)
    scores = {r["code"]: r for r in client.get(f"/api/periods/{YEAR}/scores").json()["results"]}
    assert (scores["3573"]["ci_low"], scores["3573"]["rank_high"]) == (78.4, 2)
    # not ranked (submitted only): its interval, no rank range
    assert (scores["3507"]["ci_low"], scores["3507"]["rank_low"]) == (61.0, None)


def test_api_without_current_rank_intervals_gives_null_ranks(client_for, pusat, period):
    add_intervals(period, rank_fingerprint="a" * 64)
    ranking = client_for(pusat).get(f"/api/periods/{YEAR}/ranking").json()["results"]
    assert all(r["rank_low"] is None and r["rank_high"] is None for r in ranking)
    assert all(r["ci_low"] is not None for r in ranking)


# --- exports -----------------------------------------------------------------------------------------


def test_ranking_csv_carries_the_interval_columns(client_for, pusat, intervals):
    text = (
        client_for(pusat).get(reverse("reports:ranking_csv", args=[YEAR])).content.decode().lstrip("\ufeff")
    )
    header, *rows = list(csv.reader(io.StringIO(text)))
    malang = dict(zip(header, next(r for r in rows if r[2] == "3573"), strict=True))
    assert (malang["IKOTAN 95 % bawah"], malang["IKOTAN 95 % atas"]) == ("78.4", "81.6")
    assert (malang["Peringkat 95 % terbaik"], malang["Peringkat 95 % terburuk"]) == ("1", "2")
    assert (malang["Ketahanan Keluarga 95 % bawah"], malang["Kelembagaan 95 % atas"]) == ("87.5", "73.5")
    unranked = dict(zip(header, next(r for r in rows if r[2] == "3507"), strict=True))
    assert unranked["IKOTAN 95 % bawah"] == "61.0" and unranked["Peringkat 95 % terbaik"] == ""


def test_ranking_xlsx_interval_cells_are_numbers(client_for, pusat, intervals):
    content = client_for(pusat).get(reverse("reports:ranking_xlsx", args=[YEAR])).content
    frame = pd.read_excel(io.BytesIO(content), dtype={"Kode": str}).set_index("Kode")
    assert (
        frame.loc["3573", "IKOTAN 95 % bawah"] == 78.4 and frame.loc["3573", "Peringkat 95 % terburuk"] == 2
    )
    assert frame.loc["1504", "Kelembagaan 95 % bawah"] == 57.25


# --- the report card's PDF ----------------------------------------------------------------------------


def test_pdf_card_prints_the_intervals_and_they_are_in_its_fingerprint(period):
    today = timezone.localdate()
    data = rendering.load_period(period)
    before = rendering.fingerprint(rendering.report_context(data, "regency", "3573", today=today))
    add_intervals(period)
    data = rendering.load_period(period)
    context = rendering.report_context(data, "regency", "3573", today=today, with_levers=False)
    assert rendering.fingerprint(context) != before
    html = pdf.report_html("regency.html", context)
    assert "dengan keyakinan 95\u00a0% antara 78,4 dan 81,6" in html
    assert "peringkatnya antara 1 dan 2" in html and "Mendekati batas kategori" in html
    assert "87,5–92,3" in html


def test_english_pages_read_the_intervals_in_english(client_for, pusat, intervals, settings):
    client = client_for(pusat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(client, NATIONAL)
    assert "range 1–2" in html and "78.4–81.6" in html and "What do the ranges mean?" in html
    card = _html(client, CARD)
    assert "Index 80.00; with 95\u00a0% confidence between 78.4 and 81.6." in card
    assert "close to a category boundary" in card


def test_province_page_shows_province_rank_ranges_unless_filtered(client_for, bnnp_a, intervals):
    url = reverse("reports:province", args=["35"]) + f"?tahun={YEAR}"
    row = _html(client_for(bnnp_a), url).split('data-regency="3573"')[1].split("</tr>")[0]
    assert "#1" in row and "(rentang 1–1)" in row
    filtered = (
        _html(client_for(bnnp_a), url + "&jenis=kota").split('data-regency="3573"')[1].split("</tr>")[0]
    )
    assert "#1" in filtered and "rentang" not in filtered  # a ranking of kota only is not what was computed


# --- with the engine (scoring.intervals, scoring.ranks): what the score and rank tasks store, shown -------


def test_engine_intervals_reach_the_ranking_the_card_and_the_api(
    two_provinces,  # noqa: F811
    bnnp_a,
    bnnp_other,
    pusat,
    client_for,
    django_capture_on_commit_callbacks,
):
    period, collections = two_provinces
    for code, user in (("3573", bnnp_a), ("1504", bnnp_other)):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.collection_verify(collection=Collection.objects.get(pk=collections[code].pk), user=user)
    stored = RankIntervals.objects.get(period=period)  # the verifies' score tasks asked for it
    lo, hi = stored.data[str(collections["3573"].pk)]["national"]
    score = Score.objects.get(collection=collections["3573"], basis="current")
    client = client_for(pusat)
    html = _html(client, reverse("reports:national") + f"?tahun={period.year}")
    row = html[html.index('data-regency="3573"') :].split("</tr>")[0]
    assert f"rentang {lo}–{hi}" in row
    assert uncertainty.interval_text(tuple(score.ci["reported"])) in row
    item = next(
        r for r in client.get(f"/api/periods/{period.year}/ranking").json()["results"] if r["code"] == "3573"
    )
    assert (item["ci_low"], item["ci_high"]) == tuple(score.ci["overall"])
    assert (item["rank_low"], item["rank_high"]) == (lo, hi)
    assert item["variables_ci"] == score.ci["variables"]
    card = _html(client, reverse("reports:regency", args=["3573"]) + f"?tahun={period.year}")
    assert f"peringkatnya antara {lo} dan {hi}" in card


def test_national_pdf_prints_rank_ranges_and_index_intervals(period):
    add_intervals(period)
    data = rendering.load_period(period)
    context = rendering.report_context(data, "national", "", today=timezone.localdate())
    malang = next(r for r in context["rows"] if r["code"] == "3573")
    assert malang["rank_range"] == (1, 2) and malang["ci"] == (78.4, 81.6)
    html = pdf.report_html("national.html", context)
    assert '<div class="ci">1–2</div>' in html and '<div class="ci">78,4–81,6</div>' in html
