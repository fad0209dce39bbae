"""The action plan in a real Chromium (issue 16): Kota Surabaya's BNNK builds a plan from its verified
report card, the BNNP of Jawa Timur follows it up, BNN pusat reads the national view and its export. Run by
e2e/run.sh after the field walk (or alone with E2E_ONLY=plans); reads E2E_BASE, E2E_PASSWORD, E2E_OUT and
DATABASE_URL (it checks the database through Django's ORM at the end). Data: e2e/setup_data.action_plans.

At phone width (390 px): the BNNK opens its report card, "Susun rencana aksi", creates the plan, accepts a
suggestion and completes it, and adds a second item whose target date has passed (allowed within the
period's year: it shows as overdue). The BNNP (two-factor, set up at its first login) records a follow-up
with a PDF and comments, then sees the plan counted on its province page. The BNNK reads the comment and
replies. At 1366 px BNN pusat (two-factor) reads the coverage and downloads the XLSX export, which holds
the item's activity. Every screenshot (P01-...) is audited by axe-core (no critical or serious violation);
any console error, CSP violation, page error, 4xx sub-request or 5xx fails the walk (e2e/walk.py's WATCH).
Every wait is bounded by E2E_WAIT_MS.
"""

from __future__ import annotations

import base64
import datetime
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import django
import openpyxl
from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
# The walk reads the database after the browser steps, in its one thread. Playwright's sync API keeps an
# event loop in that thread, which Django's guard against blocking calls in async code takes for async
# code; nothing here is async, and no query runs while the browser waits.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
django.setup()

from e2e.chromium import launch  # noqa: E402
from e2e.setup_data import PLAN_BNNK, PLAN_BNNP, PLAN_PUSAT, PLAN_REGENCY, PROVINCE  # noqa: E402
from e2e.walk import A11Y, AUTHENTICATORS, WATCH, Walk, small_pdf  # noqa: E402
from plans.models import ActionItem, ActionPlan, FollowUp, PlanComment  # noqa: E402

BASE = os.environ["E2E_BASE"].rstrip("/")
PASSWORD = os.environ["E2E_PASSWORD"]
OUT = Path(os.environ.get("E2E_OUT", "e2e-screenshots"))
WAIT_MS = int(os.environ.get("E2E_WAIT_MS", 120_000))  # a bound for a hang, not a speed target
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
YEAR = datetime.date.today().year - 2  # the plan period (setup_data: two years back)
PLAN_URL = f"{BASE}/rencana-aksi/{YEAR}/{PLAN_REGENCY}/"
ACTIVITY = "Rapat koordinasi Tim Terpadu P4GN Kota Surabaya"
LATE_ACTIVITY = "Sosialisasi P4GN di sekolah menengah"
NOTE = "Draf rencana dibahas Tim Terpadu"
COMMENT = "Mohon lampirkan notulen rapat berikutnya."
REPLY = "Baik, notulen akan kami unggah."


class PlansWalk:
    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.started = time.monotonic()
        self.shots = 0

    def page(self, who: str, viewport: dict = PHONE) -> Page:
        mobile = viewport is PHONE
        context = self.browser.new_context(
            viewport=viewport,
            is_mobile=mobile,
            has_touch=mobile,
            accept_downloads=True,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            reduced_motion="reduce",
        )
        context.set_default_timeout(WAIT_MS)
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' at ' + e.sourceFile + ':' + e.lineNumber));"
        )
        WATCH.attach(context, f"[plans {who}]")
        return context.new_page()

    def shot(self, page: Page, step: str) -> None:
        self.shots += 1
        width = page.viewport_size["width"]
        name = f"P{self.shots:02d}-{'phone' if width < 500 else 'desktop'}-{step}"
        page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        WATCH.check(step)
        print(f"  {time.monotonic() - self.started:6.1f}s  plans: {step}", flush=True)
        A11Y.audit(page, name)
        WATCH.check(f"axe-core on {name}")
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width + 1, f"{name} is {wide} px wide at {width} px"

    def login(self, page: Page, username: str) -> None:
        page.goto(BASE + "/akun/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        if username != PLAN_BNNK:
            self.second_factor(page, username)
        page.wait_for_url(BASE + "/")

    def second_factor(self, page: Page, username: str) -> None:
        """First login with DEBUG off: set up the authenticator as e2e/walk.py does (the secret read off
        the page, the code computed from it), the backup codes shown once."""
        page.wait_for_url(re.compile(r"/akun/2fa/pasang/"))
        self.shot(page, f"{username.split('.')[1]}-2fa-pasang")
        secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
        AUTHENTICATORS[username] = (base64.b32decode(secret + "=" * (-len(secret) % 8)), -1)
        page.fill("input[name=code]", Walk.authenticator_code(username))
        page.click("main button[type=submit]")
        expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
        page.get_by_role("link", name="Sudah saya simpan, lanjutkan").click()

    def fill_item(self, page: Page, activity: str, target: datetime.date) -> None:
        page.select_option("#id_agency", label="Kesbangpol")
        page.fill("#id_activity", activity)
        page.fill("#id_expected_output", "Notulen dan rencana tindak lanjut")
        page.fill("#id_target_date", target.isoformat())

    def bnnk_builds(self) -> Page:
        page = self.page("bnnk")
        self.login(page, PLAN_BNNK)
        page.goto(f"{BASE}/laporan/kabkota/{PLAN_REGENCY}/?tahun={YEAR}")
        self.shot(page, "bnnk-rapor")
        page.get_by_test_id("plan-link").click()
        page.get_by_role("button", name="Susun rencana aksi").click()
        suggestion = page.get_by_test_id("suggestion").first
        expect(suggestion).to_contain_text("KL1")  # the weakest stored indicator (50)
        self.shot(page, "bnnk-rencana-usulan")
        suggestion.get_by_role("link", name="Terima dan lengkapi").click()
        self.fill_item(page, ACTIVITY, datetime.date(YEAR + 2, 12, 31))
        self.shot(page, "bnnk-butir-usulan")
        page.get_by_role("button", name="Simpan").click()
        expect(page.get_by_test_id("item")).to_contain_text(ACTIVITY)
        # A second item due in the period's year, already passed: allowed, and shown as overdue.
        page.get_by_role("link", name="Tambah butir").click()
        kk2 = page.locator("#id_indicators option", has_text="KK2").get_attribute("value")
        page.select_option("#id_indicators", kk2)
        page.select_option("#id_strategy", index=0)
        self.fill_item(page, LATE_ACTIVITY, datetime.date(YEAR, 6, 30))
        page.get_by_role("button", name="Simpan").click()
        late = page.get_by_test_id("item").filter(has_text=LATE_ACTIVITY)
        expect(late.get_by_test_id("overdue")).to_be_visible()
        self.shot(page, "bnnk-rencana-dua-butir")
        return page

    def bnnp_follows_up(self) -> None:
        page = self.page("bnnp")
        self.login(page, PLAN_BNNP)
        page.goto(PLAN_URL)
        item = page.get_by_test_id("item").filter(has_text=ACTIVITY)
        item.get_by_test_id("follow-ups").locator("summary").click()
        form = item.get_by_test_id("follow-up-form")
        form.get_by_label("Kemajuan (%)").fill("40")
        form.get_by_label("Catatan").fill(NOTE)
        form.locator("input[type=file]").set_input_files(
            {"name": "notulen.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
        )
        form.get_by_role("button", name="Catat tindak lanjut").click()
        done = page.get_by_test_id("item").filter(has_text=ACTIVITY).get_by_test_id("follow-up")
        expect(done).to_contain_text("40%")
        expect(done).to_contain_text("notulen.pdf")
        page.fill("#comment-text", COMMENT)
        page.get_by_role("button", name="Kirim komentar").click()
        expect(page.get_by_test_id("plan-comment")).to_contain_text(COMMENT)
        self.shot(page, "bnnp-tindak-lanjut-komentar")
        page.goto(f"{BASE}/rencana-aksi/provinsi/{PROVINCE}/?tahun={YEAR}")
        expect(page.get_by_test_id("totals")).to_contain_text("1 kab/kota dengan rencana aksi · 2 butir")
        expect(page.get_by_test_id("overdue-item")).to_contain_text(LATE_ACTIVITY)
        expect(page.get_by_test_id("regency-without-plan")).to_have_count(0)
        self.shot(page, "bnnp-provinsi")
        page.context.close()

    def bnnk_signs(self, page: Page, downloads: Path) -> None:
        """The plan as a PDF for the Tim Terpadu (rendered by the real worker, the page polling), its DOCX
        offered beside it, and the signed copy uploaded back."""
        page.goto(PLAN_URL + "#bertanda-tangan")
        documents = page.get_by_test_id("plan-documents")
        expect(documents.get_by_test_id("report-state")).to_have_attribute("data-state", "missing")
        self.shot(page, "bnnk-rencana-siapkan-pdf")
        documents.get_by_role("button", name="Siapkan PDF").click()
        expect(documents.get_by_test_id("report-download")).to_be_visible()  # polled until the worker is done
        expect(documents.get_by_test_id("report-docx")).to_be_visible()
        with page.expect_download() as download:
            documents.get_by_test_id("report-download").click()
        saved = downloads / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.read_bytes()[:5] == b"%PDF-", f"{saved.name} is not a PDF"
        print(
            f"  {time.monotonic() - self.started:6.1f}s  plans: {saved.name} rendered by the worker",
            flush=True,
        )
        form = documents.get_by_test_id("signed-form")
        form.locator("input[type=file]").set_input_files(
            {"name": "rencana-aksi-ttd.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
        )
        form.get_by_role("button", name="Unggah").click()
        expect(page.get_by_test_id("signed-line")).to_contain_text("Rencana aksi bertanda tangan: diunggah")
        expect(page.get_by_test_id("signed-line")).to_contain_text("rencana-aksi-ttd.pdf")
        self.shot(page, "bnnk-rencana-bertanda-tangan")

    def bnnk_replies(self, page: Page) -> None:
        page.goto(PLAN_URL)
        expect(page.get_by_test_id("plan-comment").first).to_contain_text(COMMENT)
        page.fill("#comment-text", REPLY)
        page.get_by_role("button", name="Kirim komentar").click()
        expect(page.get_by_test_id("plan-comment")).to_have_count(2)
        expect(page.get_by_test_id("plan-comments")).to_contain_text(REPLY)
        self.shot(page, "bnnk-balas-komentar")
        page.context.close()

    def pusat_reads(self, downloads: Path) -> None:
        page = self.page("pusat", DESKTOP)
        self.login(page, PLAN_PUSAT)
        page.goto(f"{BASE}/rencana-aksi/nasional/?tahun={YEAR}")
        expect(page.get_by_test_id("coverage")).to_contain_text("Jawa Timur")
        expect(page.get_by_test_id("national-summary")).to_contain_text("1 dari 1")
        expect(page.get_by_test_id("coverage-signed")).to_have_text("1")
        self.shot(page, "pusat-nasional")
        with page.expect_download() as download:
            page.get_by_role("link", name="Ekspor XLSX").click()
        saved = downloads / download.value.suggested_filename
        download.value.save_as(saved)
        book = openpyxl.load_workbook(saved, read_only=True)
        cells = {c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
        assert ACTIVITY in cells, f"{ACTIVITY!r} is not in the export {saved.name}"
        print(f"  {time.monotonic() - self.started:6.1f}s  plans: {saved.name} holds the item", flush=True)
        page.goto(PLAN_URL)  # the plan page at desktop width: its documents and the signed copy
        expect(page.get_by_test_id("signed-line")).to_contain_text("rencana-aksi-ttd.pdf")
        expect(page.get_by_test_id("report-state")).to_have_attribute("data-state", "ready")
        self.shot(page, "pusat-rencana-dokumen")
        page.context.close()

    @staticmethod
    def check_database() -> None:
        plan = ActionPlan.objects.get(collection__regency__code=PLAN_REGENCY, collection__period__year=YEAR)
        items = {i.activity: i for i in plan.items.all()}
        assert set(items) == {ACTIVITY, LATE_ACTIVITY}, list(items)
        follow_up = FollowUp.objects.get(item=items[ACTIVITY])
        assert follow_up.progress == 40 and follow_up.note == NOTE, follow_up
        assert follow_up.original_name == "notulen.pdf" and follow_up.file, follow_up.file
        assert follow_up.file.open("rb").read(5) == b"%PDF-", "the stored follow-up file is not the PDF"
        authors = [(c.author.username, c.text) for c in PlanComment.objects.filter(plan=plan).order_by("pk")]
        assert authors == [(PLAN_BNNP, COMMENT), (PLAN_BNNK, REPLY)], authors
        assert ActionPlan.history.filter(id=plan.pk).exists()
        assert ActionItem.history.filter(plan_id=plan.pk).count() >= 2
        assert FollowUp.history.filter(id=follow_up.pk).exists()
        assert PlanComment.history.filter(plan_id=plan.pk).count() == 2
        assert plan.signed_name == "rencana-aksi-ttd.pdf" and plan.signed_by.username == PLAN_BNNK, (
            plan.signed_by
        )
        assert plan.signed_file.open("rb").read(5) == b"%PDF-", "the stored signed copy is not the PDF"
        print("  plans: database holds the plan, 2 items, the follow-up with its PDF, 2 comments, history")

    def run(self, downloads: Path) -> None:
        bnnk = self.bnnk_builds()
        self.bnnp_follows_up()
        self.bnnk_signs(bnnk, downloads)
        self.bnnk_replies(bnnk)
        self.pusat_reads(downloads)
        WATCH.check("the plans walk")
        self.check_database()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as downloads, sync_playwright() as playwright:
        expect.set_options(timeout=WAIT_MS)
        browser = launch(playwright)
        try:
            PlansWalk(browser).run(Path(downloads))
            A11Y.report()
        except BaseException:
            WATCH.failed(browser)
            if A11Y.pages:
                A11Y.report(fail=False)
            raise
        finally:
            browser.close()
    print(f"plans walk passed in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
