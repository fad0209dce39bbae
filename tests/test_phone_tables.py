"""The dashboards' tables on a phone (issue 12): the ranking and the province's kab/kota table stack into
labelled blocks below 576 px (.table-stack: every cell names its column in data-label), the ranking has
no inner scroll box, and in a real Chromium the pages fit 390 px, the ranking fits 1366 px, the charts
show their narrow layout on a phone and a tapped map point's value.

Scored data from tests/scored_data.py: this year Kota Malang verified 80 (its submitted score 78, so its
collection page shows the submitted-vs-verified table), Kabupaten Malang submitted, Batanghari final.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import sync_playwright

from e2e.chromium import CHROMIUM, launch
from tests.conftest import PASSWORD
from tests.scored_data import YEAR, scored_period
from tests.test_csp_browser import WAIT_MS, _browser_env, _regions_back_afterwards  # noqa: F401 - its fixtures


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


class _Table(HTMLParser):
    """One table of a page, by data-testid: its classes, header texts and, per body row, each cell's
    data-label (None where missing)."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid, self.depth = testid, 0
        self.classes: list[str] = []
        self.headers: list[str] = []
        self.rows: list[list[str | None]] = []
        self._section, self._th = "", None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == self.testid:
            self.depth, self.classes = 1, (attrs.get("class") or "").split()
        elif self.depth and tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag in ("thead", "tbody"):
            self._section = tag
        elif self.depth == 1 and tag == "tr" and self._section == "tbody":
            self.rows.append([])
        elif self.depth == 1 and tag == "th" and self._section == "thead":
            self._th = ""
        elif self.depth == 1 and tag in ("td", "th") and self._section == "tbody":
            self.rows[-1].append(attrs.get("data-label"))

    def handle_endtag(self, tag):
        if self.depth and tag == "table":
            self.depth -= 1
        elif self.depth == 1 and tag == "th" and self._th is not None:
            self.headers.append(" ".join(self._th.split()))
            self._th = None

    def handle_data(self, data):
        if self._th is not None:
            self._th += data


def _table(response, testid: str) -> _Table:
    assert response.status_code == 200
    table = _Table(testid)
    table.feed(response.content.decode())
    assert table.classes, f"no table {testid}"
    return table


def test_national_ranking_cells_name_their_columns_and_no_inner_scroll_box(client_for, pusat, period):
    response = client_for(pusat).get(reverse("reports:national"), {"tahun": YEAR})
    table = _table(response, "ranking")
    assert "table-stack" in table.classes
    assert table.headers == [
        "Peringkat", "Perubahan", "Kab/kota", "Provinsi", "Indeks", "Kategori", "Saat dikirim", "KK", "KL",
    ]  # fmt: skip
    assert len(table.rows) == 2
    assert all(row == table.headers for row in table.rows)  # each cell's data-label is its column's header
    assert "table-scroll" not in response.content.decode()


def test_national_ranking_labels_are_translated(client_for, pusat, period):
    client = client_for(pusat)
    client.post(reverse("set_language"), {"language": "en"})
    table = _table(client.get(reverse("reports:national"), {"tahun": YEAR}), "ranking")
    assert table.headers[:3] == ["Rank", "Change", "Regency/city"]
    assert all(row == table.headers for row in table.rows)


def test_province_table_cells_name_their_columns(client_for, bnnp_a, period):
    response = client_for(bnnp_a).get(reverse("reports:province", args=["35"]), {"tahun": YEAR})
    table = _table(response, "regency-table")
    assert "table-stack" in table.classes
    assert len(table.rows) == 2  # Kota Malang and Kabupaten Malang
    for row in table.rows:
        assert len(row) == len(table.headers) and None not in row
    assert table.rows[0][:4] == ["Kab/kota", "Status", "Kuota", "Saat dikirim"]


# --- in Chromium -----------------------------------------------------------------------------------------

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium")
@pytest.mark.django_db(transaction=True)
@pytest.mark.once
def test_pages_fit_a_phone_the_ranking_fits_a_laptop_and_chart_values_show_on_tap(
    live_server, regency_a, regency_b, regency_other, bnnk_a, bnnp_a, pusat
):
    scored_period(regency_a, regency_b, regency_other)
    pages = {
        "bnnk_a": [f"/survei/periode/{YEAR}/{regency_a.code}/", f"/laporan/kabkota/{regency_a.code}/"],
        "bnnp_a": [
            f"/laporan/provinsi/35/?tahun={YEAR}",
            f"/survei/periode/{YEAR}/{regency_a.code}/verifikasi/",
        ],
        "pusat": [f"/laporan/nasional/?tahun={YEAR}"],
    }
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for username, paths in pages.items():
            page = _login(browser, live_server.url, username, {"width": 390, "height": 844}, mobile=True)
            for path in paths:
                page.goto(live_server.url + path)
                page.wait_for_load_state("load")
                # Compared with 390, not innerWidth: a mobile Chromium widens innerWidth to fit an overflow.
                assert page.evaluate(OVERFLOW)[0] <= 391, (username, path, page.evaluate(OVERFLOW))
                if "/survei/periode/" in path and "verifikasi" not in path:
                    selisih = page.get_by_test_id("score-diff").get_by_role("columnheader", name="Selisih")
                    box = selisih.bounding_box()
                    assert box and box["x"] + box["width"] <= 390, box
        # The charts' phone layout, and a tapped point's value (its SVG title) under the map.
        chart = page.locator("#chart-map")
        assert (
            chart.locator(".chart-narrow svg.kotan-map").first.is_visible()
            and not chart.locator(".chart-wide svg").is_visible()
        )
        assert not chart.locator(".chart-tip").is_visible()
        chart.locator('.chart-narrow circle[data-code="3573"]').first.tap()
        assert chart.locator(".chart-tip").text_content() == "Kota Malang: 80,00 (Tanggap), peringkat 1"
        page = _login(browser, live_server.url, "pusat", {"width": 1366, "height": 900}, mobile=False)
        page.goto(f"{live_server.url}/laporan/nasional/?tahun={YEAR}")
        page.wait_for_load_state("load")
        fit = page.evaluate(
            "() => { const t = document.querySelector('[data-testid=ranking]');"
            " return [t.scrollWidth, t.parentElement.clientWidth, t.getBoundingClientRect().right]; }"
        )
        assert fit[0] <= fit[1] and fit[2] <= 1366, fit  # every variable column in view, none clipped
        browser.close()


def _login(browser, base: str, username: str, viewport: dict, *, mobile: bool):
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(base + "/akun/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    return page
