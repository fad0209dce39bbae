"""The reliability and microdata pages in Chromium at 1366 and 390 px: computed state with its tables, the
per-province table folded, nothing wider than the screen, no CSP violation, axe-core without critical or
serious violations. KOTAN_SHOTS=<folder> keeps the screenshots. Skipped without /usr/bin/chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from e2e.chromium import CHROMIUM
from reports import microdata_exports
from scoring import reliability_store

# The browser, its wait bound, and the same autouse fixtures (async-unsafe ORM, media folder, regions back).
from tests.test_csp_browser import WAIT_MS, Browser, _browser_env, _regions_back_afterwards, regions  # noqa: F401
from tests.test_microdata import YEAR, world  # noqa: F401  (the same survey data)

pytestmark = [
    pytest.mark.once,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = os.environ.get("KOTAN_SHOTS", "")


def _serious(page) -> list[str]:
    results = Axe().run(page).response
    return [v["id"] for v in results["violations"] if v["impact"] in ("critical", "serious")]


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_reliability_and_microdata_pages_in_chromium(regions, live_server, world, pusat):  # noqa: F811
    reliability_store.compute(world["period"].pk)
    with sync_playwright() as playwright:
        expect.set_options(timeout=WAIT_MS)
        chromium = Browser(playwright, live_server.url)
        page = chromium.login("pusat")
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            chromium.visit(page, f"/laporan/{YEAR}/reliabilitas/")
            expect(page.get_by_test_id("reliability-state")).to_have_attribute("data-state", "ready")
            expect(page.get_by_test_id("reliability-variables")).to_contain_text("Ketahanan Keluarga")
            expect(page.get_by_test_id("reliability-items")).to_contain_text("q_choice")
            assert _fits(page), size
            assert _serious(page) == [], size
            if SHOTS:
                page.screenshot(path=str(Path(SHOTS) / f"reliability-{size}.png"), full_page=True)
            chromium.visit(page, f"/laporan/{YEAR}/mikrodata/")
            if size == "desktop":  # "Siapkan berkas": built by the (eager) task, back on the page ready
                expect(page.get_by_test_id("microdata-state")).to_have_attribute("data-state", "none")
                page.get_by_test_id("microdata-prepare").click()
            expect(page.get_by_test_id("microdata-state")).to_have_attribute("data-state", "ready")
            expect(page.get_by_test_id("microdata-files")).to_contain_text("SPSS (.sav)")
            assert _fits(page), size
            assert _serious(page) == [], size
            if SHOTS:
                page.screenshot(path=str(Path(SHOTS) / f"microdata-{size}.png"), full_page=True)
        assert chromium.violations() == []
        chromium.browser.close()


def test_pending_pages_update_themselves_when_the_task_is_done(regions, live_server, world, pusat):  # noqa: F811
    """The pages poll (htmx) while the task runs and show the result without a reload."""
    period = world["period"]
    microdata_exports.claim(period, "")  # a click queued the build; the "worker" runs it below
    reliability_store.mark_requested(period.pk)
    with sync_playwright() as playwright:
        expect.set_options(timeout=max(WAIT_MS, 15000))
        chromium = Browser(playwright, live_server.url)
        page = chromium.login("pusat")
        chromium.visit(page, f"/laporan/{YEAR}/mikrodata/")
        state = page.get_by_test_id("microdata-state")
        expect(state).to_have_attribute("data-state", "pending")
        page.evaluate("window.__same_page = true")
        microdata_exports.run(period.pk, "")
        expect(state).to_have_attribute("data-state", "ready")
        expect(page.get_by_test_id("microdata-files")).to_contain_text("CSV")
        assert page.evaluate("window.__same_page === true")  # swapped in place, not reloaded

        chromium.visit(page, f"/laporan/{YEAR}/reliabilitas/")
        expect(page.get_by_test_id("reliability-state")).to_have_attribute("data-state", "running")
        reliability_store.compute(period.pk)
        expect(page.get_by_test_id("reliability-state")).to_have_attribute("data-state", "ready")
        assert chromium.violations() == []
        chromium.browser.close()
