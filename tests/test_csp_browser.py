"""The pages work in a real Chromium under the Content-Security-Policy: no violation, no script error,
and autosave (BNNK and respondent link) still saves. Skipped where Debian's /usr/bin/chromium is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from assessments import services
from assessments.links import services as links
from assessments.models import Answer
from e2e.chromium import CHROMIUM, launch
from reports import report_links
from reports.models import RenderedReport, RenderRequest
from tests.conftest import PASSWORD
from tests.factories import group, make_collection, make_period
from tests.scored_data import scored_period

# A bound for a hang, not a speed target: on a loaded 2-core CI machine one dashboard (then with 4.8 MB
# of plotly.js through the test server) took more than Playwright's default 30 s.
WAIT_MS = 180_000

pytestmark = [
    pytest.mark.once,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module", autouse=True)
def _regions_back_afterwards(django_db_blocker):
    # A live-server test runs outside a transaction and the database is flushed after it; the
    # regions every other test expects are loaded again once this module is done.
    yield
    with django_db_blocker.unblock():
        call_command("load_regions", verbosity=0)


@pytest.fixture
def regions():
    """The regions, loaded again if a live-server test before this one flushed them with the database."""
    call_command("load_regions", verbosity=0)


@pytest.fixture(autouse=True)
def _browser_env(monkeypatch, settings, tmp_path):
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still plain
    # synchronous test code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path / "media"


class Browser:
    """One Chromium; every console message and page error of every page is recorded."""

    def __init__(self, playwright, base: str):
        self.base = base
        self.browser = launch(playwright)
        self.messages: list[tuple[str, str, str]] = []

    def page(self):
        context = self.browser.new_context()
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        page.on("console", lambda m: self.messages.append((page.url, m.type, m.text)))
        page.on("pageerror", lambda e: self.messages.append((page.url, "pageerror", str(e))))
        return page

    def login(self, username: str):
        page = self.page()
        page.goto(self.base + "/akun/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(self.base + "/")
        return page

    def visit(self, page, path: str) -> None:
        response = page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")

    def violations(self) -> list[tuple[str, str, str]]:
        return [m for m in self.messages if "Content Security Policy" in m[2] or m[1] == "pageerror"]


def autosave_by_clicking(page, question_pk: int, option_index: int) -> dict:
    """Click an answer button of a question and return the autosave endpoint's JSON answer."""
    with page.expect_response(lambda r: "/jawaban/" in r.url and r.request.method == "POST") as answer:
        page.locator(f"#q-{question_pk} label.btn").nth(option_index).click()
    assert answer.value.status == 200, answer.value.text()
    return answer.value.json()


def test_pages_work_under_the_csp(live_server, regency_a, regency_b, bnnk_a, bnnp_a, pusat):
    period = make_period(regencies=[regency_a, regency_b], year=2026)
    collection = make_collection(regency_a, period)
    inst = period.instrument
    keluarga = group(inst, "keluarga")
    qn = services.questionnaire_create(collection=collection, group=keluarga, user=bnnk_a)
    link = links.link_create(collection=collection, group=keluarga, user=bnnk_a, label="RT 01")
    q_likert = inst.questions.get(code="q_likert")
    home = f"/survei/periode/2026/{regency_a.code}/"

    with sync_playwright() as playwright:
        chromium = Browser(playwright, live_server.url)
        anonymous = chromium.page()
        chromium.visit(anonymous, "/akun/login/")
        chromium.visit(anonymous, "/akun/password_reset/")

        page = chromium.login("bnnk_a")
        for path in ["/", home, home + "bukti/unggah/", home + "excel/unggah/", home + "tautan/"]:
            chromium.visit(page, path)
        chromium.visit(page, f"/survei/tautan/{link.pk}/")
        chromium.visit(page, f"/survei/kuesioner/{qn.pk}/")
        saved = autosave_by_clicking(page, q_likert.pk, 3)
        assert saved["ok"] is True and saved["value"] == "4"

        respondent = chromium.page()
        chromium.visit(respondent, f"/r/{link.token}/")
        assert autosave_by_clicking(respondent, q_likert.pk, 1)["ok"] is True

        chromium.visit(page, f"/laporan/kabkota/{regency_a.code}/")  # inline SVG charts, js/charts.js

        reviewer = chromium.login("bnnp_a")
        for path in ["/", "/survei/periode/", "/survei/progres/", home, home + "verifikasi/"]:
            chromium.visit(reviewer, path)
        chromium.visit(reviewer, f"/laporan/provinsi/{regency_a.province.code}/")

        national = chromium.login("pusat")
        chromium.visit(national, "/laporan/nasional/")

        assert chromium.violations() == []

        # The listener does hear the policy: an injected inline script is refused and reported.
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
            " document.body.appendChild(s); }"
        )
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.pwned") is None
        assert any("Content Security Policy" in m[2] for m in chromium.violations())
        chromium.browser.close()

    assert Answer.objects.get(questionnaire=qn, question=q_likert).value == 4.0
    assert Answer.objects.get(questionnaire=link.questionnaire, question=q_likert).value == 2.0


def test_a_pdf_report_in_one_click(
    live_server, monkeypatch, regions, regency_a, regency_b, regency_other, bnnk_a
):
    """The report card's "Siapkan PDF" (htmx under the CSP): one click and the link becomes "Unduh PDF"
    without a reload (tasks run eagerly here, inside the click's request). A render queued for a worker
    shows "Sedang disiapkan…", and the page updates itself once the worker is done."""
    monkeypatch.setattr("reports.pdf.render_pdf", lambda template, context: b"%PDF-1.7 test")
    period = scored_period(regency_a, regency_b, regency_other)
    path = f"/laporan/kabkota/{regency_a.code}/?tahun={period.year}"
    same_document = "() => window.sameDocument === true"

    with sync_playwright() as playwright:
        expect.set_options(timeout=WAIT_MS)
        chromium = Browser(playwright, live_server.url)
        page = chromium.login("bnnk_a")
        chromium.visit(page, path)
        link = page.get_by_test_id("report-link")
        expect(link.get_by_test_id("report-state")).to_have_attribute("data-state", "missing")
        page.evaluate("() => { window.sameDocument = true; }")
        link.get_by_role("button", name="Siapkan PDF").click()
        expect(link.get_by_test_id("report-download")).to_be_visible()
        expect(link.get_by_test_id("report-rendered")).to_contain_text("dibuat")
        assert page.evaluate(same_document), "the page reloaded"

        # The file gone and a click's render queued for a worker: the page polls the status URL.
        stored = RenderedReport.objects.get(period=period, scope_key=regency_a.code, kind="pdf")
        default_storage.delete(stored.file.name)
        RenderRequest.objects.filter(period=period).update(state="queued", requested_at=timezone.now())
        chromium.visit(page, path)
        expect(link.get_by_test_id("report-pending")).to_contain_text("Sedang disiapkan")
        page.evaluate("() => { window.sameDocument = true; }")
        report_links.render_requested(period.pk, "regency", regency_a.code)  # what the worker runs
        expect(link.get_by_test_id("report-download")).to_be_visible()
        assert page.evaluate(same_document), "the page reloaded"
        with page.expect_download() as download:
            link.get_by_test_id("report-download").click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
        assert chromium.violations() == []
        chromium.browser.close()
