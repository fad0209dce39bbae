"""The BNNP's monev in Chromium at phone width: on a kab/kota's plan it records a follow-up with an evidence
file and comments, then opens its province page (the kab/kota without a plan listed); nothing wider than
the screen, no CSP violation. Skipped where Debian's /usr/bin/chromium is absent."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from e2e.chromium import CHROMIUM
from instruments.models import Indicator
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
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def test_bnnp_follows_up_a_plan_on_a_phone(
    live_server, regency_a, regency_b, regency_other, bnnk_a, bnnp_a, tmp_path
):
    period = scored_period(regency_a, regency_b, regency_other, year=YEAR)
    collection = period.collections.get(regency=regency_a)
    plan = ActionPlan.objects.create(collection=collection, title="Rencana aksi", created_by=bnnk_a)
    plan_services.agencies_ensure_defaults(regency=regency_a)
    item = ActionItem.objects.create(
        plan=plan,
        strategy="penguatan_kelembagaan",
        agency=Agency.objects.get(regency=regency_a, name="Kesbangpol"),
        activity="Menyusun RAD P4GN",
        expected_output="RAD P4GN ditetapkan",
        target_date=datetime.date(YEAR, 1, 31),  # passed: overdue
    )
    item.indicators.set([Indicator.objects.filter(variable__instrument=period.instrument).first()])
    upload = tmp_path / "notulen.pdf"
    upload.write_bytes(PDF)
    with sync_playwright() as playwright:
        expect.set_options(timeout=WAIT_MS)
        chromium = Browser(playwright, live_server.url)
        page = chromium.login("bnnp_a")
        page.set_viewport_size(PHONE)
        chromium.visit(page, f"/rencana-aksi/{YEAR}/{regency_a.code}/")
        expect(page.get_by_test_id("overdue")).to_be_visible()
        page.get_by_test_id("follow-ups").locator("summary").click()
        form = page.get_by_test_id("follow-up-form")
        form.get_by_label("Kemajuan (%)").fill("40")
        form.get_by_label("Catatan").fill("Draf RAD dibahas Tim Terpadu")
        form.locator("input[type=file]").set_input_files(str(upload))
        assert _fits(page)
        form.get_by_role("button", name="Catat tindak lanjut").click()
        expect(page.get_by_test_id("follow-up")).to_contain_text("40%")
        expect(page.get_by_test_id("follow-up")).to_contain_text("notulen.pdf")
        page.fill("#comment-text", "Mohon lampirkan SK Tim Terpadu")
        page.get_by_role("button", name="Kirim komentar").click()
        expect(page.get_by_test_id("plan-comment")).to_contain_text("Mohon lampirkan SK")
        assert _fits(page)
        _shot(page, "monev-plan")

        chromium.visit(page, "/rencana-aksi/provinsi/35/")
        expect(page.get_by_test_id("overdue-item")).to_contain_text("Menyusun RAD P4GN")
        expect(page.get_by_test_id("without-plan")).to_contain_text(regency_b.name)
        assert _fits(page)
        _shot(page, "monev-province")
        assert chromium.violations() == []
        chromium.browser.close()
    assert FollowUp.objects.get().progress == 40 and PlanComment.objects.get().author == bnnp_a
