"""Correcting monev records in Chromium (plans.monev_changes): at phone width the BNNP opens a follow-up's
"Ubah" form, changes its progress and saves, then removes it through the confirming form; the BNNK edits
its own comment and removes it. The open forms fit 390 px and 1366 px (no sideways scrolling), axe-core
finds no critical or serious violation, no CSP violation. Skipped where /usr/bin/chromium is absent."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from e2e.chromium import CHROMIUM
from instruments.models import Indicator
from plans import monev_services
from plans import services as plan_services
from plans.models import ActionItem, ActionPlan, Agency, FollowUp, PlanComment
from tests.scored_data import scored_period
from tests.test_csp_browser import WAIT_MS, Browser, _browser_env, _regions_back_afterwards  # noqa: F401
from tests.test_plans_browser import PHONE, _fits, _shot

pytestmark = [
    pytest.mark.once,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]

YEAR = 2026
DESKTOP = {"width": 1366, "height": 900}


def _serious(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [v["id"] for v in found if v["impact"] in ("critical", "serious")]


def _world(regency_a, regency_b, regency_other, bnnk_a, bnnp_a):
    period = scored_period(regency_a, regency_b, regency_other, year=YEAR)
    plan = ActionPlan.objects.create(
        collection=period.collections.get(regency=regency_a), title="Rencana aksi", created_by=bnnk_a
    )
    plan_services.agencies_ensure_defaults(regency=regency_a)
    item = ActionItem.objects.create(
        plan=plan,
        strategy="penguatan_kelembagaan",
        agency=Agency.objects.get(regency=regency_a, name="Kesbangpol"),
        activity="Menyusun RAD P4GN",
        expected_output="RAD P4GN ditetapkan",
        target_date=datetime.date(YEAR, 1, 31),
    )
    item.indicators.set([Indicator.objects.filter(variable__instrument=period.instrument).first()])
    today = datetime.date.today()
    monev_services.follow_up_add(user=bnnp_a, item=item, date=today, progress=20, note="Rapat pertama")
    monev_services.comment_add(user=bnnk_a, plan=plan, text="Notulen menyusul")


def test_corrections_on_a_phone_and_a_desktop(
    live_server, regency_a, regency_b, regency_other, bnnk_a, bnnp_a
):
    _world(regency_a, regency_b, regency_other, bnnk_a, bnnp_a)
    url = f"/rencana-aksi/{YEAR}/{regency_a.code}/"
    with sync_playwright() as playwright:
        expect.set_options(timeout=WAIT_MS)
        chromium = Browser(playwright, live_server.url)
        page = chromium.login("bnnp_a")
        for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
            page.set_viewport_size(viewport)
            chromium.visit(page, url)
            page.get_by_test_id("follow-up-edit").locator("summary").click()
            page.get_by_test_id("follow-up-delete").locator("summary").click()
            expect(page.get_by_role("button", name="Ya, hapus tindak lanjut")).to_be_visible()
            assert _fits(page), name
            assert _serious(page) == [], name
            _shot(page, f"monev-corrections-{name}")
        edit = page.get_by_test_id("follow-up-edit")
        edit.get_by_label("Kemajuan (%)").fill("75")
        edit.get_by_role("button", name="Simpan perubahan").click()
        expect(page.get_by_test_id("follow-up")).to_contain_text("75%")
        page.get_by_test_id("follow-up-delete").locator("summary").click()
        page.get_by_role("button", name="Ya, hapus tindak lanjut").click()
        expect(page.get_by_test_id("follow-up")).to_have_count(0)
        _shot(page, "monev-corrections-deleted")
        assert chromium.violations() == []
        chromium.browser.close()

        chromium = Browser(playwright, live_server.url)
        page = chromium.login("bnnk_a")
        page.set_viewport_size(PHONE)
        chromium.visit(page, url)
        edit = page.get_by_test_id("comment-edit")
        edit.locator("summary").click()
        edit.get_by_label("Komentar").fill("Notulen diunggah besok")
        assert _fits(page)
        edit.get_by_role("button", name="Simpan perubahan").click()
        expect(page.get_by_test_id("plan-comment")).to_contain_text("Notulen diunggah besok")
        page.get_by_test_id("comment-delete").locator("summary").click()
        page.get_by_role("button", name="Ya, hapus komentar").click()
        expect(page.get_by_test_id("plan-comment")).to_have_count(0)
        assert chromium.violations() == []
        chromium.browser.close()
    assert not FollowUp.objects.exists() and not PlanComment.objects.exists()
    assert list(FollowUp.history.order_by("history_date").values_list("history_type", "progress")) == [
        ("+", 20),
        ("~", 75),
        ("-", 75),
    ]
    assert PlanComment.history.filter(history_type="-", history_user=bnnk_a).count() == 1
