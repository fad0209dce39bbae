"""Dashboards: the national dashboard, the province dashboard and the kab/kota report card.

Scored data from tests/scored_data.py (stored Score rows, no engine run): this year Kota Malang
verified 80, Kabupaten Malang submitted 65, Batanghari (Jambi) final 55; last year all verified.
"""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Collection, Period, Questionnaire
from regions.models import Regency
from tests.chart_marks import charts_in, numbers, page_series
from tests.factories import group, make_collection, make_period, make_score, question
from tests.scored_data import YEAR, scored_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


def _figures(response) -> dict:
    """Every chart of the page: the tooltips of its value marks by series (wide layout)."""
    return page_series(response.content.decode())


def _text(response) -> str:
    return response.content.decode()


# --- who sees which dashboard ----------------------------------------------------------------------------


def test_index_sends_each_role_to_its_own_dashboard(client_for, pusat, bnnp_a, bnnk_a, period):
    assert client_for(pusat).get(reverse("reports:index")).url == reverse("reports:national")
    assert client_for(bnnp_a).get(reverse("reports:index")).url == reverse("reports:province", args=["35"])
    assert client_for(bnnk_a).get(reverse("reports:index")).url == reverse("reports:regency", args=["3573"])


def test_anonymous_is_sent_to_login(client, period):
    for url in (
        reverse("reports:national"),
        reverse("reports:province", args=["35"]),
        reverse("reports:regency", args=["3573"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/akun/login/" in response.url


def test_national_dashboard_is_for_bnn_pusat_only(client_for, bnnp_a, bnnk_a, period):
    assert client_for(bnnp_a).get(reverse("reports:national")).url == reverse("reports:index")
    assert client_for(bnnk_a).get(reverse("reports:national")).url == reverse("reports:index")


def test_bnnp_never_sees_another_province(client_for, bnnp_other, bnnp_a, period):
    client = client_for(bnnp_other)
    assert client.get(reverse("reports:province", args=["35"])).status_code == 404
    assert client.get(reverse("reports:regency", args=["3573"])).status_code == 404
    response = client_for(bnnp_a).get(reverse("reports:province", args=["35"]), {"tahun": YEAR})
    assert response.status_code == 200
    page = _text(response)
    assert "Kota Malang" in page and "Kabupaten Malang" in page
    assert "Batanghari" not in page  # not in the table, not in any chart's JSON


def test_bnnk_sees_only_its_own_report_card(client_for, bnnk_a, period):
    client = client_for(bnnk_a)
    assert client.get(reverse("reports:regency", args=["3507"])).status_code == 404
    assert client.get(reverse("reports:province", args=["35"])).url == reverse(
        "reports:regency", args=["3573"]
    )
    assert client.get(reverse("reports:regency", args=["3573"])).status_code == 200


def test_bad_year_is_a_404_and_an_unknown_kind_is_ignored(client_for, pusat, period):
    client = client_for(pusat)
    assert client.get(reverse("reports:national"), {"tahun": "abc"}).status_code == 404
    assert client.get(reverse("reports:national"), {"tahun": "1900"}).status_code == 404
    assert client.get(reverse("reports:regency", args=["3573"]), {"tahun": "9" * 30}).status_code == 404
    assert client.get(reverse("reports:national"), {"jenis": "<x>"}).status_code == 200
    assert client.get(reverse("reports:province", args=["999"])).status_code == 404


# --- national ------------------------------------------------------------------------------------------------


def test_national_ranking_r_of_n_with_movement_and_subranks(client_for, pusat, period):
    response = client_for(pusat).get(reverse("reports:national"), {"tahun": YEAR})
    assert response.status_code == 200
    page = _text(response)
    rows = re.findall(r'data-testid="ranking-row" data-regency="(\d+)"', page)
    assert rows == ["3573", "1504"]  # Kabupaten Malang is submitted, not verified: not ranked
    first = page.split('data-regency="3573"')[1].split("</tr>")[0]
    assert "1 <span" in first and "dari</span>" not in first and "dari 2" in first
    assert "▲ 1" in first  # behind Batanghari last year (2nd of the two ranked now) -> 1st
    assert "#1" in first  # sub-rank on KK (90 vs 50)
    second = page.split('data-regency="1504"')[1].split("</tr>")[0]
    assert "2 <span" in second and "▼ 1" in second  # ahead of Malang last year -> 2nd
    assert 'data-testid="computed-at"' in page and "Skor dihitung pada" in page


def test_national_totals_target_and_charts(client_for, pusat, period):
    response = client_for(pusat).get(reverse("reports:national"), {"tahun": YEAR})
    ctx = response.context
    assert ctx["totals"]["participants"] == 3
    assert ctx["totals"]["verified"] == 2
    assert ctx["totals"]["ranked"] == 2
    assert ctx["totals"]["average"] == pytest.approx((80 + 55) / 2)
    # Tanggap or better: Malang (80, Tanggap) yes, Batanghari (55, Cukup Tanggap) no; target 1.
    assert ctx["totals"]["reached"] == 1 and ctx["totals"]["target"] == 1
    figures = _figures(response)
    assert set(figures) == {"chart-trend", "chart-target", "chart-provinces", "chart-categories", "chart-map"}
    trend = figures["chart-trend"]["Nasional"]
    # the factory's periods are both still being verified (deadline ahead): both points provisional
    assert trend == [f"Nasional · {YEAR - 1} (sementara): 60,00", f"Nasional · {YEAR} (sementara): 67,50"]
    provinces = figures["chart-provinces"][""]
    assert [tip.split(":")[0] for tip in provinces] == ["Jawa Timur", "Jambi"]
    assert numbers(provinces) == [80.0, 55.0]
    # The map: 38 province shapes drawn inline (nothing fetched), a point per ranked kab/kota with its title.
    page = _text(response)
    national_map = page.split('id="chart-map"')[1].split("</figure>")[0]
    assert national_map.count("<path d=") == 2 * 38  # 38 provinces, in the wide and the narrow layout
    assert "<title>Kota Malang: 80,00 (Tanggap), peringkat 1</title>" in national_map
    assert "<title>Kabupaten Batanghari: 55,00 (Cukup Tanggap), peringkat 2</title>" in national_map
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page.split('id="chart-map"')[1]


def test_kind_filter_ranks_among_that_kind(client_for, pusat, period):
    response = client_for(pusat).get(reverse("reports:national"), {"tahun": YEAR, "jenis": "kota"})
    rows = re.findall(r'data-testid="ranking-row" data-regency="(\d+)"', _text(response))
    assert rows == ["3573"]
    assert "dari 1" in _text(response)


def test_synthetic_period_is_labelled(client_for, pusat, period):
    Period.objects.filter(pk=period.pk).update(is_synthetic=True)
    page = _text(client_for(pusat).get(reverse("reports:national"), {"tahun": YEAR}))
    assert 'data-testid="synthetic-note"' in page and "Data sintetis" in page


def test_default_period_is_the_current_one_even_before_any_result(client_for, pusat, period, regency_a):
    """The rule of reports.selectors.report_periods (tests/test_current_period.py): the newest period
    whose collection has opened, whether or not anything is verified yet."""
    make_period(period.instrument, [regency_a], year=YEAR + 1)  # opened 10 days ago, nothing scored yet
    response = client_for(pusat).get(reverse("reports:national"))
    assert response.context["period"]["year"] == YEAR + 1


def test_empty_site_shows_a_message(client_for, pusat):
    response = client_for(pusat).get(reverse("reports:national"))
    assert response.status_code == 200
    assert "Belum ada periode survei." in _text(response)


# --- province ------------------------------------------------------------------------------------------------


def test_province_table_states_scores_and_change(client_for, bnnp_a, period):
    response = client_for(bnnp_a).get(reverse("reports:province", args=["35"]), {"tahun": YEAR})
    rows = {r["code"]: r for r in response.context["rows"]}
    assert set(rows) == {"3573", "3507"}
    malang = rows["3573"]
    assert malang["state"] == "verified" and malang["verified"] == 80.0 and malang["submitted"] == 78.0
    assert malang["category"] == "Tanggap" and malang["change"] == pytest.approx(30.0)
    kab = rows["3507"]
    assert kab["verified"] is None and kab["submitted"] == 65.0 and kab["change"] is None
    totals = response.context["totals"]
    assert totals["average"] == pytest.approx(80.0)
    assert totals["national"] == pytest.approx((80 + 55) / 2)
    figures = _figures(response)
    assert set(figures) == {
        "chart-heatmap",
        "chart-categories",
        "chart-compare",
        "chart-trend",
        "chart-change",
        "chart-map",
    }
    # The province's shape with its ranked kab/kota (Malang) as a point, its rank (as in the table) in the title.
    province_map = _text(response).split('id="chart-map"')[1].split("</figure>")[0]
    assert "<title>Kota Malang: 80,00 (Tanggap), peringkat 1</title>" in province_map
    assert 'data-code="35"' in province_map and 'data-code="1504"' not in province_map  # Batanghari: Jambi
    heat = figures["chart-heatmap"]
    assert list(heat) == ["Kota Malang"] and numbers(heat["Kota Malang"]) == [90.0, 70.0]
    compare = figures["chart-compare"]
    assert list(compare) == ["Jawa Timur", "Nasional"]
    assert numbers(compare["Jawa Timur"]) == pytest.approx([80.0, 90.0, 70.0])


def test_province_rows_link_the_card_of_each_scored_kab_kota_only(client_for, bnnp_a, period):
    unscored = Regency.objects.get(code="3515")  # Sidoarjo: a participant without any score yet
    make_collection(unscored, Period.objects.get(year=YEAR))
    response = client_for(bnnp_a).get(reverse("reports:province", args=["35"]), {"tahun": YEAR})
    rows = {r["code"]: r for r in response.context["rows"]}
    assert rows["3515"]["pdf"] is None and rows["3515"]["current"] is None
    assert rows["3573"]["pdf"] == f"/laporan/{YEAR}/pdf/kabkota/3573/"
    page = _text(response)
    assert page.count('data-testid="regency-pdf"') == 2
    assert "/pdf/kabkota/3515/" not in page
    # Nothing rendered yet: each link says it prepares the card (tests/test_report_links.py: once ready)
    assert 'aria-label="Siapkan rapor PDF Kota Malang (belum dibuat; halaman menunggu sampai siap)"' in page


def test_province_kind_filter(client_for, bnnp_a, period):
    response = client_for(bnnp_a).get(
        reverse("reports:province", args=["35"]), {"tahun": YEAR, "jenis": "kabupaten"}
    )
    assert [r["code"] for r in response.context["rows"]] == ["3507"]


def test_province_quota_progress_from_complete_questionnaires(client_for, bnnp_a, period, regency_b):
    collection = Collection.objects.get(period=period, regency=regency_b)
    inst = period.instrument
    now = timezone.now()
    for code in ("keluarga", "instansi"):  # quotas: keluarga 2, instansi 1 -> 2 of 3 capped = 67%
        Questionnaire.objects.create(
            collection=collection, group=group(inst, code), state="complete", completed_at=now
        )
    response = client_for(bnnp_a).get(reverse("reports:province", args=["35"]), {"tahun": YEAR})
    rows = {r["code"]: r for r in response.context["rows"]}
    assert rows["3507"]["percent"] == 67 and rows["3507"]["quota_met"] is False


# --- report card ------------------------------------------------------------------------------------------------


def _answer(collection, group_code, answers: dict):
    inst = collection.period.instrument
    q = Questionnaire.objects.create(
        collection=collection, group=group(inst, group_code), state="complete", completed_at=timezone.now()
    )
    Answer.objects.bulk_create(
        Answer(questionnaire=q, question=question(inst, code), value=value) for code, value in answers.items()
    )


def test_report_card_scores_radar_indicators_and_change(client_for, bnnk_a, period, regency_a):
    response = client_for(bnnk_a).get(reverse("reports:regency", args=["3573"]), {"tahun": YEAR})
    assert response.status_code == 200
    ctx = response.context
    assert ctx["current"]["overall"] == 80.0 and ctx["current"]["category"] == "Tanggap"
    assert ctx["rank"] == (1, 2)
    assert ctx["submitted"]["reported"] == 78.0
    assert ctx["previous"]["overall"] == 50.0
    assert [c["delta"] for c in ctx["changes"]] == pytest.approx([30.0, 40.0, 20.0])
    page = _text(response)
    assert "1 dari 2" in page and "Skor dihitung pada" in page
    figures = _figures(response)
    radar = figures["chart-radar"]
    assert list(radar) == ["Kota Malang", "Jawa Timur", "Nasional"]
    assert numbers(radar["Kota Malang"]) == [90.0, 70.0]
    assert numbers(radar["Jawa Timur"]) == [90.0, 70.0]  # the province's only verified kab/kota
    assert numbers(radar["Nasional"]) == pytest.approx([70.0, 65.0])  # national: (90+50)/2, (70+60)/2
    assert numbers(figures["chart-indicators"][""]) == [70.0, 85.0, 95.0]  # weakest first
    assert numbers(figures["chart-trend"]["Kota Malang"]) == [50.0, 80.0]


def test_report_card_what_moves_the_score_most(client_for, bnnk_a, period, regency_a):
    """The answers of tests/test_scores_db.py's hand case. Raising one level: KL1 (q_likert2 2 -> 3,
    q_number already top) 62.5 -> 75, KL +12.5, overall +6.25; KK1 (q_likert 1 -> 2 and 4 -> 5,
    q_yesno 0 -> 1) 56.25 -> 90.625, KK +11.458, overall +5.729; KK2 (q_choice at the top) +0."""
    collection = Collection.objects.get(period=period, regency=regency_a)
    _answer(collection, "keluarga", {"q_likert": 5, "q_yesno": 1, "q_choice": 3})
    _answer(collection, "keluarga", {"q_likert": 1, "q_yesno": 0})
    _answer(collection, "instansi", {"q_likert": 4, "q_number": 7, "q_likert2": 2})
    response = client_for(bnnk_a).get(reverse("reports:regency", args=["3573"]), {"tahun": YEAR})
    gains = response.context["gains"]
    assert [g["code"] for g in gains] == ["KL1", "KK1", "KK2"]
    assert [g["gain"] for g in gains] == pytest.approx([6.25, 34.375 / 3 / 2, 0.0])
    page = _text(response)
    assert "Tim Terpadu" in page and "+6,25" in page
    groups = _figures(response)["chart-groups"]
    assert list(groups) == ["Keluarga", "Instansi Pemerintah"]


def test_report_card_without_a_stored_score(client_for, bnnk_a, regency_a):
    make_collection(regency_a, year=YEAR)
    response = client_for(bnnk_a).get(reverse("reports:regency", args=["3573"]))
    assert response.status_code == 200
    assert 'data-testid="no-score"' in _text(response)


# --- downloads: the page's PDF report, "Render ulang", the ranking files --------------------------------------


def _pdf(scope, key=""):
    return (
        reverse("reports:report_pdf_scoped", args=[YEAR, scope, key])
        if key
        else reverse("reports:report_pdf", args=[YEAR, scope])
    )


def _prepare(scope, key=""):
    """The "Siapkan PDF" form of a report not rendered yet (reports.report_links)."""
    name = "reports:report_pdf_prepare_scoped" if key else "reports:report_pdf_prepare"
    return "prepare:" + reverse(name, args=[YEAR, scope, *([key] if key else [])])


def _links(page: str) -> set[str]:
    """Every PDF report link, "Siapkan PDF" form and the "Render ulang" form in a page."""
    found = set(re.findall(r'href="(/laporan/\d+/pdf/[^"]+)"', page))
    found |= {f"prepare:{u}" for u in re.findall(r'action="(/laporan/\d+/pdf/[^"]+/siapkan/)"', page)}
    found |= {f"render:{u}" for u in re.findall(r'action="(/laporan/\d+/render-ulang/)"', page)}
    return found


RENDER = f"render:/laporan/{YEAR}/render-ulang/"
CARDS_35 = {_pdf("kabkota", "3573"), _pdf("kabkota", "3507")}


@pytest.mark.parametrize(
    ("who", "name", "args", "expected"),
    [
        ("pusat", "reports:national", [], {_prepare("nasional"), RENDER}),
        # the province page also links each scored kab/kota's card (3573 verified, 3507 submitted)
        ("pusat", "reports:province", ["35"], {_prepare("provinsi", "35"), *CARDS_35, RENDER}),
        ("pusat", "reports:regency", ["1504"], {_prepare("kabkota", "1504"), RENDER}),
        ("bnnp_a", "reports:province", ["35"], {_prepare("provinsi", "35"), *CARDS_35}),
        ("bnnp_a", "reports:regency", ["3573"], {_prepare("kabkota", "3573")}),
        ("bnnp_other", "reports:province", ["15"], {_prepare("provinsi", "15"), _pdf("kabkota", "1504")}),
        ("bnnk_a", "reports:regency", ["3573"], {_prepare("kabkota", "3573")}),
    ],
)
def test_each_page_links_only_its_own_pdf_report(request, client_for, period, who, name, args, expected):
    user = request.getfixturevalue(who)
    response = client_for(user).get(reverse(name, args=args), {"tahun": YEAR})
    assert response.status_code == 200
    page = _text(response)
    assert _links(page) == expected
    # every offered link and form opens for this user (202: not rendered yet, asked of Celery; the
    # "Siapkan PDF" form asks and comes back to the page)
    client = client_for(user)
    for url in expected - {RENDER}:
        if url.startswith("prepare:"):
            assert client.post(url.removeprefix("prepare:")).status_code == 302, url
        else:
            assert client.get(url).status_code in (200, 202), url
    assert 'data-testid="report-bar"' in page and "Siapkan PDF" in page


def test_ranking_downloads_on_the_national_page(client_for, pusat, period):
    page = _text(client_for(pusat).get(reverse("reports:national"), {"tahun": YEAR}))
    assert (
        f'href="/laporan/{YEAR}/peringkat.xlsx"' in page and f'href="/laporan/{YEAR}/peringkat.csv"' in page
    )


def test_render_status_shows_when_the_pdf_was_rendered(client_for, bnnk_a, period, settings, tmp_path):
    from django.core.files.storage import default_storage

    from reports.models import RenderedReport

    settings.MEDIA_ROOT = tmp_path
    default_storage.save("reports/test.pdf", io.BytesIO(b"%PDF-" + b"x" * 3000))
    RenderedReport.objects.create(
        period=period,
        scope_kind="regency",
        scope_key="3573",
        kind="pdf",
        file="reports/test.pdf",
        fingerprint="x",
        rendered_at=timezone.make_aware(timezone.datetime(2031, 3, 4, 5, 6)),
    )
    page = _text(client_for(bnnk_a).get(reverse("reports:regency", args=["3573"]), {"tahun": YEAR}))
    bar = page.split('data-testid="report-bar"')[1].split("</div>")[0]
    assert "3 KB, dibuat 4 Mar 2031 05:06" in bar and "Siapkan PDF" not in bar


def test_no_pdf_link_where_no_report_is_rendered(client_for, pusat, bnnk_a, regency_a, period):
    # a kab/kota without a stored score has no report card PDF
    make_collection(regency_a, year=YEAR + 1)
    page = _text(client_for(bnnk_a).get(reverse("reports:regency", args=["3573"]), {"tahun": YEAR + 1}))
    assert 'data-testid="no-score"' in page and not _links(page)
    # a province without participants in the period has no province PDF
    page = _text(client_for(pusat).get(reverse("reports:province", args=["52"]), {"tahun": YEAR}))
    assert not _links(page)


# --- CSP: no inline script, charts as inline SVG ----------------------------------------------------------------


def test_pages_have_no_inline_script_and_draw_charts_as_inline_svg(client_for, pusat, period):
    client = client_for(pusat)
    for url in (
        reverse("reports:national"),
        reverse("reports:province", args=["35"]),
        reverse("reports:regency", args=["3573"]),
    ):
        page = _text(client.get(url, {"tahun": YEAR}))
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag, tag
        assert "plotly" not in page and "/static/js/charts.js" in page
        charts = charts_in(page)
        assert charts and all(svgs for svgs in charts.values())
        for name, svgs in charts.items():
            for svg in svgs:
                assert " style=" not in svg and "<script" not in svg, name
        # each chart's text alternative: a labelled role="img"
        assert len(re.findall(r'<div role="img" aria-label="[^"]+">', page)) == len(charts)
        # No script, style sheet or image from another host (a CDN); links to read elsewhere (the map's
        # licence) are fine. Not a search for "cdn": a random CSRF token may hold it.
        assert not re.findall(
            r'<(?:script|img)[^>]* src="(?:https?:)?//|<link[^>]* href="(?:https?:)?//', page
        )


# --- queries: constant in the number of kab/kota and periods ---------------------------------------------------


def _scored_world(instrument, regencies, years):
    """Verified kab/kota with stored scores (both bases) in each of the given years."""
    for p, year in enumerate(years):
        period = make_period(instrument, regencies, year=year)
        for i, regency in enumerate(regencies):
            collection = make_collection(regency, period)
            Collection.objects.filter(pk=collection.pk).update(state="verified")
            overall = 40.0 + i + p
            make_score(collection, overall, {"KK": overall, "KL": overall}, indicators={"KK1": overall})
            make_score(collection, overall, {"KK": overall, "KL": overall}, basis="submitted")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "user_fixture,name,args",
    [
        ("pusat", "reports:national", []),
        ("bnnp_a", "reports:province", ["35"]),
        ("pusat", "reports:regency", ["3573"]),
    ],
)
def test_query_count_does_not_grow_with_kab_kota_or_periods(
    request, client_for, django_assert_max_num_queries, user_fixture, name, args
):
    from tests.factories import make_instrument

    client = client_for(request.getfixturevalue(user_fixture))
    url = reverse(name, args=args)
    instrument = make_instrument()
    jatim = list(Regency.objects.filter(province__code="35").exclude(code="3573").order_by("code"))
    malang = Regency.objects.get(code="3573")
    _scored_world(instrument, [malang, *jatim[:2]], [2040, 2041])
    small = _count(client, url)
    _scored_world(instrument, [malang, *jatim[:20]], [2042, 2043, 2044])
    large = _count(client, url)
    assert large == small
    with django_assert_max_num_queries(small):
        client.get(url)
