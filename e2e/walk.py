"""The whole IKOTAN cycle in a real Chromium, as its users meet it. Run by e2e/run.sh (which starts the
server, worker and beat); reads E2E_BASE, E2E_PASSWORD and E2E_OUT.

Twice: at desktop width for Kota Malang, then at phone width (390x844) for Kabupaten Malang. Each time
a BNNK logs in, enters two questionnaires (autosave, "Tandai lengkap", "Isi kuesioner berikutnya"),
imports two by Excel (template downloaded from the page, filled with openpyxl, preview, apply), creates
a respondent link that an anonymous browser context completes, attaches a PDF and submits; the score
shows "sedang dihitung" until the Celery worker stores it. The BNNP excludes one questionnaire (with a
reason) and returns the collection with a comment on another; the BNNK reads the comment, corrects
the answer, replies and resubmits; the BNNP sees the change and verifies; the verified score appears.
BNN pusat opens the national dashboard and downloads the XLSX ranking, which holds the kab/kota.
The BNNP and BNN pusat sign in with two-factor (DEBUG is off): at their first login they set up an
authenticator (the code computed from the secret on the page) and see their backup codes once; later
logins go through the code page.

Any Content-Security-Policy violation, console error, page error or 5xx answer fails the walk. Every
wait is bounded. Screenshots of each step: E2E_OUT/NN-<width>-<step>.png.

Accessibility: axe-core (vendored by axe-playwright-python, injected with page.evaluate, which the
page's Content-Security-Policy does not govern; nothing is fetched) checks every page the walk visits
once it has settled (each screenshot, each login form, the Excel upload form). One line a page with
its violations by impact, a summary at the end, and any critical or serious violation (rule, impact,
target nodes) fails the walk once both widths have run. Pages outside the walk: tests/test_csp_browser.py.
"""

from __future__ import annotations

import base64
import datetime
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from e2e.chromium import launch

BASE = os.environ["E2E_BASE"].rstrip("/")
PASSWORD = os.environ["E2E_PASSWORD"]
OUT = Path(os.environ.get("E2E_OUT", "e2e-screenshots"))
# Bounds for a hang, not speed targets (a healthy run waits a second or two): generous, so that a loaded
# CI machine (ten times slower than a developer's) still gets through.
WAIT_MS = int(os.environ.get("E2E_WAIT_MS", 120_000))  # one element, one page
SCORE_WAIT_S = 600  # the worker's debounced score (SCORE_DEBOUNCE_SECONDS=1; the beat sweep every minute)

JAKARTA = ZoneInfo("Asia/Jakarta")
BNNP_USER = "e2e.bnnp.jatim"
PUSAT_USER = "e2e.pusat"
# With DEBUG off they owe a second factor (accounts.two_factor): set up at their first login, the secret
# read off the setup page as a person types it into an authenticator app; {username: (key, last step)}.
AUTHENTICATORS: dict[str, tuple[bytes, int]] = {}

# Template columns: label, desa_kelurahan, tanggal_pengisian (filled with today), then question codes.
EXCEL_ROWS = [
    {
        "label": "Kantor Kecamatan Klojen",
        "desa_kelurahan": "Klojen",
        "q_likert": 4,
        "q_number": 6,
        "q_likert2": 5,
    },
    {
        "label": "Dinas Pendidikan",
        "desa_kelurahan": "Oro-oro Dowo",
        "q_likert": 3,
        "q_number": 2,
        "q_likert2": 4,
    },
]
EXCLUDE_REASON = "Responden sama dengan baris lain pada impor Excel (uji)."
COMMENT = "Jawaban q_likert tidak sesuai dokumen; mohon diperiksa lagi."
REPLY = "Sudah diperbaiki sesuai dokumen."
DECIMAL = re.compile(r"^\d{1,3}(,\d+)?$")  # floatformat in Bahasa Indonesia: 62,50


@dataclass
class Width:
    name: str
    viewport: dict
    bnnk: str
    regency: str
    mobile: bool = False


WIDTHS = [
    Width("desktop", {"width": 1366, "height": 900}, "e2e.bnnk.kotamalang", "3573"),
    Width("phone", {"width": 390, "height": 844}, "e2e.bnnk.kabmalang", "3507", mobile=True),
]


IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")  # what fails the walk (issue 12): none of these on any page


@dataclass
class Accessibility:
    """axe-core on every page the walk visits: per-page counts by impact, and what fails the walk."""

    axe: Axe = field(default_factory=Axe)
    pages: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    reported: bool = False

    def audit(self, page: Page, name: str) -> None:
        results = self.axe.run(page).response  # WCAG 2.x A/AA and best-practice rules, violations only
        counts = dict.fromkeys(IMPACTS, 0)
        for violation in results["violations"]:
            impact = violation["impact"] or "minor"
            counts[impact] += 1
            line = f"{name} ({page.url}): {violation['id']} [{impact}] {violation['help']}"
            nodes = [" ".join(map(str, node["target"])) + why(node) for node in violation["nodes"]]
            detail = f"{line}\n        " + "\n        ".join(nodes[:8])
            if len(nodes) > 8:
                detail += f"\n        ... and {len(nodes) - 8} more"
            if impact in BLOCKING:
                self.blocking.append(detail)
            print(f"      axe {detail}", flush=True)
        self.pages.append((name, counts))
        summary = ", ".join(f"{counts[i]} {i}" for i in IMPACTS)
        flag = "  <- FAILS" if any(counts[i] for i in BLOCKING) else ""
        print(f"      axe {name}: {summary}{flag}", flush=True)

    def report(self, fail: bool = True) -> None:
        if self.reported:
            return
        self.reported = True
        totals = {i: sum(c[i] for _n, c in self.pages) for i in IMPACTS}
        clean = sum(1 for _n, c in self.pages if not any(c.values()))
        print(
            f"axe-core {self.axe_version()}: {len(self.pages)} pages, {clean} without any violation; "
            + ", ".join(f"{totals[i]} {i}" for i in IMPACTS)
            + " (violations counted per rule and page)"
        )
        for name, counts in self.pages:
            print(f"  {name:<48} " + "  ".join(f"{i} {counts[i]}" for i in IMPACTS))
        if self.blocking and fail:
            raise AssertionError(
                f"axe-core: {len(self.blocking)} critical/serious violations:\n  "
                + "\n  ".join(self.blocking)
            )

    def axe_version(self) -> str:
        match = re.search(r"axe v([\d.]+)", self.axe.axe_script[:200])
        return match.group(1) if match else "?"


def why(node: dict) -> str:
    """axe's first reason for one node, e.g. the contrast ratio and the two colours."""
    reasons = [c["message"] for c in node.get("any", []) + node.get("all", []) + node.get("none", [])]
    return f" -- {reasons[0]}" if reasons and reasons[0] else ""


A11Y = Accessibility()


@dataclass
class Watch:
    """Everything the pages say that must not happen, from every page of every context."""

    problems: list[str] = field(default_factory=list)
    shots: int = 0

    def attach(self, context: BrowserContext, who: str) -> None:
        context.on("page", lambda page: self._page(page, who))

    def _page(self, page: Page, who: str) -> None:
        def console(message) -> None:
            if message.text.startswith("Failed to load resource"):
                return  # Chromium's echo of an HTTP status: judged from the response below
            if message.type == "error" or "Content Security Policy" in message.text:
                self.problems.append(f"{who} {page.url}: console {message.type}: {message.text}")

        def response(resp) -> None:
            # A page may answer 4xx on purpose (a used respondent link is 410 Gone; the walk checks
            # what it shows); a script, style, image or autosave request may not, nor anything 5xx.
            # KOTAN has no favicon; the browser asks for one on its own.
            kind = resp.request.resource_type
            if resp.status >= 500 or (
                resp.status >= 400 and kind != "document" and not resp.url.endswith("/favicon.ico")
            ):
                self.problems.append(f"{who}: {resp.status} from {resp.request.method} {resp.url} ({kind})")

        page.on("console", console)
        page.on("pageerror", lambda error: self.problems.append(f"{who} {page.url}: page error: {error}"))
        page.on("response", response)
        page.on("dialog", lambda dialog: dialog.accept())  # form[data-confirm]: the user says yes

    def failed(self, browser: Browser) -> None:
        """What every open page showed when the walk failed."""
        for i, page in enumerate(p for c in browser.contexts for p in c.pages):
            path = OUT / f"FAILED-{i}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                print(f"  failure screenshot {path}: {page.url}")
            except Exception as exc:  # a page that is gone says nothing more
                print(f"  no screenshot of {page.url}: {exc}")

    def check(self, step: str) -> None:
        if self.problems:
            raise AssertionError(f"during {step}:\n  " + "\n  ".join(self.problems))


WATCH = Watch()


class Walk:
    """One run of the cycle at one width."""

    def __init__(self, browser: Browser, width: Width, downloads: Path):
        self.browser = browser
        self.width = width
        self.downloads = downloads
        self.started = time.monotonic()
        self.collection_url = ""
        self.year = 0
        self.regency_name = ""
        self.score_states: list[str] = []
        self.verified_score = ""  # as the review page shows it, e.g. "77,78"

    # --- helpers -------------------------------------------------------------------------------------

    def context(self, who: str) -> BrowserContext:
        context = self.browser.new_context(
            viewport=self.width.viewport,
            is_mobile=self.width.mobile,
            has_touch=self.width.mobile,
            accept_downloads=True,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            # Bootstrap turns its transitions off under reduced motion: otherwise axe-core can measure a
            # button's colours halfway through one (a checked choice read 2.19:1 on a loaded machine).
            reduced_motion="reduce",
        )
        context.set_default_timeout(WAIT_MS)
        # Where a Content-Security-Policy violation comes from (Chromium's own message does not say).
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' at ' + e.sourceFile + ':' + e.lineNumber + ':'"
            " + e.columnNumber + ' sample ' + JSON.stringify(e.sample)));"
        )
        WATCH.attach(context, f"[{self.width.name} {who}]")
        return context

    def shot(self, page: Page, step: str) -> None:
        WATCH.shots += 1
        name = f"{WATCH.shots:02d}-{self.width.name}-{step}"
        page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        WATCH.check(step)
        print(f"  {time.monotonic() - self.started:6.1f}s  {self.width.name}: {step}", flush=True)
        self.audit(page, name)

    def audit(self, page: Page, name: str) -> None:
        """axe-core on a settled page; a Content-Security-Policy report from it would fail the walk. And
        the page fits the viewport's width, no sideways scrolling (issue 12), measured against the set
        width: a mobile Chromium widens window.innerWidth to whatever overflows."""
        A11Y.audit(page, name)
        WATCH.check(f"axe-core on {name}")
        overflow = page.evaluate(
            """width => {
              const scrollWidth = document.documentElement.scrollWidth;
              if (scrollWidth <= width + 1) return null;
              const clipped = e => {
                for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
                  if (getComputedStyle(p).overflowX !== 'visible') return true;
                return false;
              };
              let widest = null, right = 0;
              for (const e of document.body.querySelectorAll('*')) {
                const r = e.getBoundingClientRect().right;
                if (r > right && !clipped(e)) { right = r; widest = e; }
              }
              const what = widest.tagName.toLowerCase() + (widest.id ? '#' + widest.id : '')
                + [...widest.classList].map(c => '.' + c).join('')
                + (widest.dataset.testid ? `[data-testid=${widest.dataset.testid}]` : '');
              return `scrollWidth ${scrollWidth} px; widest element ${what} reaches ${Math.round(right)} px: `
                + JSON.stringify(widest.textContent.trim().replace(/\\s+/g, ' ').slice(0, 80));
            }""",
            self.width.viewport["width"],
        )
        assert overflow is None, f"{name} ({page.url}) is wider than the viewport: {overflow}"

    def login(self, context: BrowserContext, username: str) -> Page:
        """Through the login form; the server answers as in production (policy, frame ban, cookies)."""
        page = context.new_page()
        response = page.goto(BASE + "/akun/login/")
        assert "default-src 'self'" in response.headers["content-security-policy"], response.headers
        assert response.headers["x-frame-options"] == "DENY", response.headers
        self.audit(page, f"{self.width.name}-login-{username}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        if username in (BNNP_USER, PUSAT_USER):
            self.second_factor(page, username)
        page.wait_for_url(BASE + "/")
        session = next(c for c in context.cookies() if c["name"] == "sessionid")
        assert session["secure"] and session["httpOnly"], session
        return page

    def second_factor(self, page: Page, username: str) -> None:
        """The code after the password: the first time the setup page (QR code, secret, one code, the
        backup codes shown once, then the account security page), afterwards the code page."""
        who = "pusat" if username == PUSAT_USER else "bnnp"
        page.wait_for_url(re.compile(r"/akun/2fa/(pasang|verifikasi)/"))
        first = "/pasang/" in page.url
        self.shot(page, f"{who}-2fa-{'pasang' if first else 'verifikasi'}")
        if first:
            secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
            AUTHENTICATORS[username] = (base64.b32decode(secret + "=" * (-len(secret) % 8)), -1)
        page.fill("input[name=code]", self.authenticator_code(username))
        page.click("main button[type=submit]")
        if first:
            expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
            self.shot(page, f"{who}-2fa-kode-cadangan")
            page.get_by_role("link", name="Sudah saya simpan, lanjutkan").click()
            page.wait_for_url(BASE + "/")
            page.goto(BASE + "/akun/2fa/")
            expect(page.get_by_test_id("two-factor-state")).to_contain_text("Aktif")
            self.shot(page, f"{who}-keamanan-akun")
            page.goto(BASE + "/")

    @staticmethod
    def authenticator_code(username: str) -> str:
        """What the app shows now; a code is accepted once, so wait for the next one when it was used."""
        key, last = AUTHENTICATORS[username]
        totp = TOTP(key)
        totp.time = time.time()
        while totp.t() <= last:
            time.sleep(1)
            totp.time = time.time()
        AUTHENTICATORS[username] = (key, totp.t())
        return f"{totp.token():06d}"

    def nav(self, page: Page, name: str) -> None:
        """A main-menu link, through the collapsed menu at phone width."""
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            expect(page.locator("#nav-main")).to_be_visible()
        page.locator("#nav-main").get_by_role("link", name=name, exact=True).click()
        page.wait_for_load_state()

    @staticmethod
    def question(page: Page, code: str):
        code_line = page.locator("p.small", has_text=re.compile(rf"^{code} ·"))  # not q_likert2 for q_likert
        return page.locator(".entry-q").filter(has=code_line)

    def answer(self, page: Page, code: str, value) -> None:
        """Answer one question as a user does and wait for its "tersimpan" (the autosave's answer)."""
        q = self.question(page, code)
        number = q.locator("input.entry-number")
        if number.count():
            number.fill(str(value))
            number.press("Tab")
        else:
            q.locator(f"input[value='{value}'] + label").click()
        expect(q.locator(".entry-status")).to_have_class(re.compile(r"\btext-success\b"))
        expect(q.locator(".entry-status")).to_contain_text("tersimpan")

    def all_saved(self, page: Page) -> None:
        expect(page.locator("[data-autosave-summary]")).to_have_class(re.compile(r"\btext-success\b"))

    def wait_for_score(self, page: Page, step: str) -> str:
        """Reload (bounded) until the stored score is there: "sedang dihitung" first, then a number."""
        deadline = time.monotonic() + SCORE_WAIT_S
        while True:
            state = page.get_by_test_id("score-card").get_attribute("data-score-state")
            if not self.score_states or self.score_states[-1] != state:
                self.score_states.append(state)
                if state == "pending":
                    expect(page.get_by_test_id("score-pending")).to_contain_text("sedang dihitung")
                    self.shot(page, f"{step}-sedang-dihitung")
            if state == "stored":
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"no stored score after {SCORE_WAIT_S}s (seen: {self.score_states})")
            page.wait_for_timeout(1000)
            page.reload()
        value = page.get_by_test_id("score-overall").inner_text().strip()
        assert DECIMAL.match(value), value
        return value

    # --- the cycle -----------------------------------------------------------------------------------

    def run(self) -> None:
        bnnk_ctx, bnnp_ctx = self.context("bnnk"), self.context("bnnp")
        bnnk = self.login(bnnk_ctx, self.width.bnnk)
        self.shot(bnnk, "bnnk-beranda")
        self.nav(bnnk, "Survei")
        match = re.search(r"/survei/periode/(\d{4})/(\d{4})/$", bnnk.url)
        assert match and match.group(2) == self.width.regency, bnnk.url
        self.year = int(match.group(1))
        self.collection_url = bnnk.url
        self.regency_name = bnnk.locator("main h1").inner_text().strip()
        expect(bnnk.get_by_test_id("collection-state")).to_have_text("Draf")
        self.shot(bnnk, "bnnk-koleksi-kosong")

        first = self.enter_questionnaires(bnnk)
        self.import_excel(bnnk)
        self.respondent_link(bnnk)
        self.attach_evidence(bnnk)
        self.submit(bnnk, "Kirim ke BNNP")
        self.wait_for_score(bnnk, "bnnk-skor-setelah-kirim")
        self.shot(bnnk, "bnnk-skor-tersimpan")

        bnnp = self.login(bnnp_ctx, BNNP_USER)
        review_url = self.review_and_return(bnnp, first)
        self.revise(bnnk, first)
        self.submit(bnnk, "Kirim ulang ke BNNP")
        self.verify(bnnp, review_url)
        bnnk.goto(self.collection_url)
        expect(bnnk.get_by_test_id("collection-state")).to_have_text("Terverifikasi")
        self.wait_for_score(bnnk, "bnnk-skor-terverifikasi")
        expect(bnnk.get_by_test_id("score-card")).to_contain_text("Skor terverifikasi")
        self.shot(bnnk, "bnnk-skor-terverifikasi")
        bnnk_ctx.close()
        bnnp_ctx.close()

    def enter_questionnaires(self, page: Page) -> int:
        """Two Keluarga questionnaires in the browser; returns the first one's number."""
        page.get_by_test_id("questionnaire-new").click()
        page.locator("label.btn", has_text="Keluarga").click()
        page.fill("#id_label", "RT 01 rumah 3")
        page.fill("#id_village", "Kauman")
        self.shot(page, "bnnk-kuesioner-baru")
        page.get_by_role("button", name="Mulai mengisi").click()
        page.wait_for_url(re.compile(r"/survei/kuesioner/\d+/$"))
        first = int(re.search(r"/kuesioner/(\d+)/$", page.url).group(1))
        self.answer(page, "q_likert", 4)
        self.answer(page, "q_yesno", 1)
        self.answer(page, "q_choice", 2)
        self.all_saved(page)
        self.shot(page, "bnnk-kuesioner-tersimpan")
        page.get_by_role("button", name="Tandai lengkap").click()
        expect(page.get_by_test_id("questionnaire-state")).to_have_text("Lengkap")

        page.get_by_test_id("next").click()
        page.wait_for_url(lambda url: bool(re.search(r"/kuesioner/\d+/$", url)) and f"/{first}/" not in url)
        expect(page.get_by_test_id("questionnaire-state")).to_have_text("Draf")
        self.answer(page, "q_likert", 5)
        self.answer(page, "q_yesno", 0)
        self.all_saved(page)
        page.get_by_role("button", name="Tandai lengkap").click()
        expect(page.get_by_test_id("questionnaire-state")).to_have_text("Lengkap")
        self.shot(page, "bnnk-kuesioner-kedua-lengkap")
        page.get_by_role("link", name="Kembali ke daftar").click()
        expect(page.get_by_test_id("questionnaire-list").locator("a")).to_have_count(2)
        return first

    def import_excel(self, page: Page) -> None:
        """The Instansi Pemerintah template from the page, filled offline, previewed and applied."""
        panel = page.get_by_test_id("excel-panel")
        with page.expect_download() as download:
            panel.get_by_test_id("excel-template-link").filter(has_text="Instansi Pemerintah").click()
        path = self.downloads / f"{self.width.name}-{download.value.suggested_filename}"
        download.value.save_as(path)
        assert path.suffix == ".xlsx", path
        wb = openpyxl.load_workbook(path)
        ws = wb["kuesioner"]
        columns = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
        today = datetime.datetime.now(JAKARTA).date()  # the server's today, whatever this machine's zone
        for i, row in enumerate(EXCEL_ROWS):
            ws.cell(3 + i, columns["tanggal_pengisian"], today)
            for code, value in row.items():
                ws.cell(3 + i, columns[code], value)
        wb.save(path)

        page.get_by_test_id("excel-upload-link").click()
        page.wait_for_load_state()
        self.audit(page, f"{self.width.name}-excel-unggah")
        page.set_input_files("#id_berkas", str(path))
        page.get_by_role("button", name="Periksa berkas").click()
        expect(page.get_by_test_id("excel-ready")).to_contain_text("2 kuesioner siap diimpor: 2 lengkap")
        expect(page.get_by_test_id("excel-rows").locator("tbody tr")).to_have_count(2)
        self.shot(page, "bnnk-excel-pratinjau")
        page.get_by_test_id("excel-apply").click()
        page.wait_for_url(re.compile(r"\?oleh=excel"))  # the list shows what the import created
        expect(page.locator("main")).to_contain_text("2 kuesioner diimpor dari Excel (2 lengkap, 0 draf)")
        listing = page.get_by_test_id("questionnaire-list")
        for row in EXCEL_ROWS:
            expect(listing).to_contain_text(row["label"])
        expect(listing.locator("a")).to_have_count(2)
        self.shot(page, "bnnk-excel-diimpor")
        page.goto(self.collection_url)
        expect(page.get_by_test_id("questionnaire-list").locator("a")).to_have_count(4)

    def respondent_link(self, page: Page) -> None:
        """A link for one Keluarga respondent, completed in a second browser context without login."""
        panel = page.get_by_test_id("links-panel")
        panel.locator("#link-group").select_option(label="Keluarga")
        panel.locator("#link-label").fill("RT 02 rumah 5")
        panel.get_by_role("button", name="Buat tautan responden").click()
        expect(page.get_by_test_id("link-qr").locator("svg")).to_be_visible()
        url = page.get_by_test_id("link-url").input_value()
        assert url.startswith(BASE + "/r/"), url
        self.shot(page, "bnnk-tautan-qr")

        anonymous = self.context("responden")
        respondent = anonymous.new_page()
        response = respondent.goto(url)
        assert response.headers.get("referrer-policy") == "no-referrer", response.headers
        self.answer(respondent, "q_likert", 3)
        self.answer(respondent, "q_yesno", 1)
        self.answer(respondent, "q_choice", 1)
        self.all_saved(respondent)
        self.shot(respondent, "responden-terisi")
        respondent.get_by_role("button", name="Kirim jawaban").click()
        expect(respondent.get_by_test_id("respondent-message")).to_contain_text("kuesioner sudah terkirim")
        self.shot(respondent, "responden-terkirim")
        anonymous.close()

        page.goto(self.collection_url)
        expect(page.get_by_test_id("links-panel").get_by_test_id("link-state")).to_have_text(
            re.compile("selesai", re.I)
        )

    def attach_evidence(self, page: Page) -> None:
        panel = page.get_by_test_id("evidence-panel")
        panel.locator("#ev-type").select_option(index=0)  # SK Tim Terpadu P4GN (wajib)
        panel.locator("#ev-title").fill("SK Tim Terpadu P4GN")
        panel.locator("#ev-file").set_input_files(
            {"name": "sk-tim-terpadu.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
        )
        yesno = panel.locator("#ev-questions option", has_text="q_yesno").get_attribute("value")
        panel.locator("#ev-questions").select_option(yesno)
        panel.get_by_role("button", name="Unggah bukti").click()
        expect(page.get_by_test_id("evidence-doc")).to_contain_text("SK Tim Terpadu P4GN")
        expect(page.get_by_test_id("evidence-doc")).to_contain_text("q_yesno")
        expect(page.get_by_test_id("missing-none")).to_be_visible()
        self.shot(page, "bnnk-siap-dikirim")

    def submit(self, page: Page, button: str) -> None:
        page.goto(self.collection_url)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_test_id("collection-state")).to_have_text("Dikirim")
        expect(page.get_by_test_id("submitted")).to_be_visible()

    def review_and_return(self, page: Page, first: int) -> str:
        """BNNP: progress page, review page; exclude one questionnaire, return with a comment on another."""
        self.nav(page, "Progres")
        row = page.locator(f"[data-testid=regency-row][data-regency='{self.width.regency}']")
        expect(row.get_by_test_id("state")).to_have_text("Dikirim")
        self.shot(page, "bnnp-progres")
        row.get_by_role("link", name=self.regency_name).click()
        expect(page.get_by_test_id("collection-state")).to_have_text("Dikirim")
        review_url = page.url.split("#")[0]
        # The evidence is handed out by the scope-checked view only (MEDIA_ROOT has no URL).
        href = (
            page.get_by_test_id("evidence-list")
            .get_by_role("link", name="SK Tim Terpadu P4GN")
            .get_attribute("href")
        )
        document = page.request.get(BASE + href)
        assert document.status == 200 and document.body().startswith(b"%PDF-"), (href, document.status)
        rows = page.get_by_test_id("review-row")
        expect(rows).to_have_count(5)
        self.shot(page, "bnnp-verifikasi")

        excluded = rows.filter(has_text=EXCEL_ROWS[1]["label"])
        excluded.locator("summary", has_text="Kecualikan").click()
        excluded.locator("input[name=alasan]").fill(EXCLUDE_REASON)
        excluded.locator("form button[type=submit]").click()
        excluded = page.get_by_test_id("review-row").filter(has_text=EXCEL_ROWS[1]["label"])
        expect(excluded).to_contain_text("Alasan dikecualikan: " + EXCLUDE_REASON)
        expect(excluded.locator(".badge").first).to_have_text("Dikecualikan")

        first_row = page.locator(f"[data-testid=review-row][data-qn='{first}']")
        first_row.get_by_role("button", name="Komentari").click()
        expect(page.locator("#target-0")).to_have_value(f"q:{first}")
        page.locator("#text-0").fill(COMMENT)
        page.locator("#return-note").fill("Mohon perbaiki lalu kirim ulang.")
        self.shot(page, "bnnp-kembalikan")
        page.get_by_test_id("return-form").get_by_role("button", name="Kembalikan ke BNNK").click()
        expect(page.get_by_test_id("collection-state")).to_have_text("Dikembalikan")
        self.shot(page, "bnnp-dikembalikan")
        return review_url

    def revise(self, page: Page, first: int) -> None:
        """BNNK: the comment on the collection page, the corrected answer, a reply."""
        page.goto(self.collection_url)
        expect(page.get_by_test_id("collection-state")).to_have_text("Dikembalikan")
        panel = page.get_by_test_id("returned-panel")
        expect(panel).to_contain_text(COMMENT)
        self.shot(page, "bnnk-dikembalikan")
        panel.get_by_role("link", name=f"Kuesioner #{first}").click()
        comments = page.get_by_test_id("fill-comments")
        expect(comments).to_contain_text(COMMENT)
        self.answer(page, "q_likert", 2)
        self.all_saved(page)
        if page.get_by_role("button", name="Tandai lengkap").count():
            page.get_by_role("button", name="Tandai lengkap").click()
        expect(page.get_by_test_id("questionnaire-state")).to_have_text("Lengkap")
        comments = page.get_by_test_id("fill-comments")
        comments.locator("textarea[name=text]").fill(REPLY)
        comments.get_by_role("button", name="Balas").click()
        expect(page.get_by_test_id("fill-comments").get_by_test_id("reply")).to_contain_text(REPLY)
        self.shot(page, "bnnk-diperbaiki")

    def verify(self, page: Page, review_url: str) -> None:
        page.goto(review_url)
        expect(page.get_by_test_id("collection-state")).to_have_text("Dikirim")
        changes = page.get_by_test_id("changes")
        expect(changes.get_by_test_id("answer-change")).to_contain_text("q_likert")
        expect(changes.get_by_test_id("change-reply")).to_contain_text(REPLY)
        self.shot(page, "bnnp-perubahan")
        page.get_by_test_id("actions").get_by_role("button", name="Verifikasi").click()
        expect(page.get_by_test_id("collection-state")).to_have_text("Terverifikasi")
        value = self.verified_score = self.wait_for_score(page, "bnnp-skor")
        print(f"  {self.width.name}: {self.regency_name} verified, IKOTAN {value}", flush=True)
        self.shot(page, "bnnp-terverifikasi")

    def national(self, regencies: list[tuple[str, str, str]]) -> None:
        """BNN pusat: the national dashboard, and the XLSX ranking holding every walked kab/kota."""
        context = self.context("pusat")
        page = self.login(context, PUSAT_USER)
        self.nav(page, "Dasbor")
        expect(page.locator("main h1")).to_contain_text(f"Dasbor nasional IKOTAN {self.year}")
        ranking = page.get_by_test_id("ranking")
        for _code, name, _score in regencies:
            expect(ranking).to_contain_text(name)
        self.shot(page, "pusat-dasbor-nasional")
        with page.expect_download() as download:
            page.get_by_test_id("ranking-xlsx").click()
        assert download.value.url.endswith(f"/laporan/{self.year}/peringkat.xlsx"), download.value.url
        path = self.downloads / f"{self.width.name}-{download.value.suggested_filename}"
        download.value.save_as(path)
        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        table = [list(r) for r in ws.iter_rows(values_only=True)]
        header = table[0]  # the header is row 1; title and metadata are on the second sheet
        by_code = {str(r[header.index("Kode")]): r for r in table[1:]}
        for code, name, score in regencies:
            row = by_code.get(code)
            assert row is not None, f"{code} {name} missing from the XLSX ranking"
            assert row[header.index("Kabupaten/kota")] == name, row
            ikotan = row[header.index("IKOTAN (0–100)")]  # 2 decimals, as the page (rounding aside)
            assert abs(ikotan - float(score.replace(",", "."))) < 0.0051, (row, score)
            assert row[header.index("Status")] == "Terverifikasi", row
        for code, _name, _score in regencies[-1:]:  # the report pages of the kab/kota just walked
            page.goto(f"{BASE}/laporan/provinsi/{code[:2]}/")
            expect(page.locator("main h1")).to_be_visible()
            self.shot(page, "pusat-laporan-provinsi")
            page.goto(f"{BASE}/laporan/kabkota/{code}/")
            expect(page.locator("main h1")).to_be_visible()
            self.shot(page, "pusat-laporan-kabkota")
            self.pdf_in_one_click(page, code)
        print(
            f"  {self.width.name}: XLSX ranking holds {', '.join(n for _c, n, _s in regencies)}", flush=True
        )
        context.close()

    def pdf_in_one_click(self, page: Page, code: str) -> None:
        """The report card's PDF in one click: "Siapkan PDF", then, without a reload, the link becomes
        "Unduh PDF" once the worker has rendered it, and downloads. Its file is removed first (as from a
        cleaned media folder): the worker's debounced period render has usually made it already."""
        link = page.get_by_test_id("report-link")
        for _attempt in range(5):  # a period render still running may write it again: remove it again
            for stored in Path(os.environ["MEDIA_ROOT"]).glob(f"reports/*/ikotan-*-kabkota-{code}-*.pdf"):
                stored.unlink()
            page.reload()
            if link.get_by_test_id("report-state").get_attribute("data-state") == "missing":
                break
        page.evaluate("() => { window.sameDocument = true; }")
        link.get_by_role("button", name="Siapkan PDF").click()
        expect(link.get_by_test_id("report-download")).to_be_visible(timeout=WAIT_MS)
        assert page.evaluate("() => window.sameDocument") is True, "the page reloaded"
        self.shot(page, "pusat-pdf-satu-klik")
        with page.expect_download() as download:
            link.get_by_test_id("report-download").click()
        path = self.downloads / f"{self.width.name}-{download.value.suggested_filename}"
        download.value.save_as(path)
        assert path.read_bytes().startswith(b"%PDF-"), path


def small_pdf() -> bytes:
    """A one-page PDF, recognised as PDF from its content."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    text = b"BT /F1 18 Tf 24 72 Td (SK Tim Terpadu P4GN) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    walked: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as downloads, sync_playwright() as playwright:
        expect.set_options(timeout=WAIT_MS)
        browser = launch(playwright)
        try:
            for width in WIDTHS:
                size = "{width}x{height}".format(**width.viewport)
                print(f"e2e walk at {width.name} width ({size})")
                walk = Walk(browser, width, Path(downloads))
                walk.run()
                walked.append((width.regency, walk.regency_name, walk.verified_score))
                walk.national(walked)
                print(f"  score card states seen: {walk.score_states}")
            WATCH.check("the walk")
            A11Y.report()
        except BaseException:
            WATCH.failed(browser)
            if A11Y.pages:
                A11Y.report(fail=False)
            raise
        finally:
            browser.close()
    print(f"e2e walk: {len(WIDTHS)} widths, {WATCH.shots} screenshots, {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
