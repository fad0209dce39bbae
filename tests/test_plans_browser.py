"""The action plan in Chromium at phone width: from the verified report card, "Susun rencana aksi", a
suggestion accepted and completed, the item listed; nothing wider than the screen, no CSP violation.
Skipped where Debian's /usr/bin/chromium is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from e2e.chromium import CHROMIUM
from plans.models import ActionItem
from tests.scored_data import scored_period

# The browser, its wait bound, and the same autouse fixtures (async-unsafe ORM, media folder, regions back).
from tests.test_csp_browser import WAIT_MS, Browser, _browser_env, _regions_back_afterwards  # noqa: F401

pytestmark = [
    pytest.mark.once,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]

YEAR = 2026
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("KOTAN_SHOTS", "")  # a folder to keep the screenshots in (looked at by hand)


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_bnnk_builds_a_plan_on_a_phone(live_server, regency_a, regency_b, regency_other, bnnk_a):
    scored_period(regency_a, regency_b, regency_other, year=YEAR)
    with sync_playwright() as playwright:
        expect.set_options(timeout=WAIT_MS)
        chromium = Browser(playwright, live_server.url)
        page = chromium.login("bnnk_a")
        page.set_viewport_size(PHONE)
        chromium.visit(page, f"/laporan/kabkota/{regency_a.code}/?tahun={YEAR}")
        page.get_by_test_id("plan-link").click()
        page.get_by_role("button", name="Susun rencana aksi").click()
        suggestions = page.get_by_test_id("suggestion")
        expect(suggestions.first).to_contain_text("KL1")  # the weakest stored indicator (70)
        assert _fits(page)
        _shot(page, "plan-suggestions")

        suggestions.first.get_by_role("link", name="Terima dan lengkapi").click()
        page.select_option("#id_agency", label="Kesbangpol")
        page.fill("#id_activity", "Rapat koordinasi Tim Terpadu P4GN")
        page.fill("#id_expected_output", "Notulen dan rencana tindak lanjut")
        page.fill("#id_target_date", f"{YEAR - 1}-06-30")  # before the period: the service refuses it
        page.fill("#id_budget", "5000000")
        assert _fits(page)
        page.get_by_role("button", name="Simpan").click()
        expect(page.get_by_test_id("item-error")).to_contain_text("tidak boleh sebelum tahun periode")
        assert not ActionItem.objects.exists()
        _shot(page, "item-refused")
        page.fill("#id_target_date", f"{YEAR + 1}-06-30")
        page.get_by_role("button", name="Simpan").click()

        item = page.get_by_test_id("item")
        expect(item).to_contain_text("Rapat koordinasi Tim Terpadu P4GN")
        expect(item).to_contain_text("KL1")
        assert _fits(page)
        _shot(page, "plan-item")
        assert chromium.violations() == []
        chromium.browser.close()
    saved = ActionItem.objects.get()
    assert saved.budget == 5000000 and saved.strategy == "penguatan_kelembagaan"
