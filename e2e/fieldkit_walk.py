"""The field kit's bad day in a real Chromium (issue 15): a BNNK officer with no signal for days. Run by
e2e/run.sh after the main walk, on the same server, database and worker; reads E2E_BASE, E2E_PASSWORD,
E2E_OUT and DATABASE_URL (it checks the database through Django's ORM).

One persistent browser profile (a phone's browser, 390 px): the officer signs in and prepares the kit
online; goes offline; creates 20 questionnaires over the five respondent groups, marks 15 complete,
attaches a photo of a paper form, and changes an answer of the draft started online; closes the
browser; reopens it offline and finishes two more; meanwhile a colleague changes the same answer online.
Back online the sync is cut after its ninth questionnaire (the server applied it, the browser never
heard), then resumes: the database holds exactly the 20 questionnaires with every answer and its history
rows, the photo as evidence, and the online edit kept and shown as a conflict. A second sync changes
nothing. An expired session asks for the password and keeps the queue. The colleague signing in on the
same profile sees none of the officer's queue; the officer's logout warns about unsynced work. Last, the
collection is submitted meanwhile: the sync refuses with the reason, the questionnaire stays queued and
counted on the home page, and leaves the device as the Excel template; and the phone's storage runs
full (a quota CDP sets): a photo is refused with a clear message and nothing stored before it is lost.

Any console error, CSP violation, page error or 5xx fails the walk. Every wait is bounded.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

import django
import openpyxl
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
# The walk reads the database between browser steps, in its one thread. Playwright's sync API keeps an
# event loop in that thread, which Django's guard against blocking calls in async code takes for async
# code; nothing here is async, and no query runs while the browser waits.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
django.setup()

from assessments.models import Answer, Collection, Evidence, Period, Questionnaire  # noqa: E402
from assessments.selectors import group_questions  # noqa: E402
from e2e.chromium import ARGS, CHROMIUM  # noqa: E402
from e2e.netcut import Relay  # noqa: E402
from e2e.setup_data import FIELD_REGENCY, FIELD_USERS  # noqa: E402
from e2e.walk import A11Y  # noqa: E402
from instruments.models import Question, RespondentGroup  # noqa: E402

SITE = os.environ["E2E_BASE"].rstrip("/")  # gunicorn; the officer's browser goes through RELAY
RELAY = Relay(("127.0.0.1", int(SITE.rsplit(":", 1)[1])))
BASE = f"http://127.0.0.1:{RELAY.port}"
PASSWORD = os.environ["E2E_PASSWORD"]
OUT = Path(os.environ.get("E2E_OUT", "e2e-screenshots"))
WAIT_MS = int(os.environ.get("E2E_WAIT_MS", 120_000))  # a bound for a hang, not a speed target
PHONE = {"width": 390, "height": 844}
FIELD = BASE + "/survei/lapangan/"
OFFICER, COLLEAGUE = FIELD_USERS
GROUPS = ["keluarga", "masyarakat", "instansi", "pendidikan", "swasta"]
CUT_AFTER = 9  # the sync is cut when the server has applied this many questionnaires


class Problems:
    """Console errors, CSP violations, page errors and 5xx answers from every page: each fails the walk."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def attach(self, context: BrowserContext, who: str) -> None:
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' at ' + e.sourceFile + ':' + e.lineNumber));"
        )
        for page in context.pages:
            self._page(page, who)
        context.on("page", lambda page: self._page(page, who))

    def _page(self, page: Page, who: str) -> None:
        def console(message) -> None:
            if message.text.startswith("Failed to load resource"):
                return  # an offline request or an expected 4xx (409 conflict, 401 session): judged below
            if message.type == "error":
                self.seen.append(f"{who} {page.url}: console: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.seen.append(f"{who} {page.url}: page error: {error}"))
        page.on("response", lambda r: r.status >= 500 and self.seen.append(f"{who}: {r.status} {r.url}"))

    def check(self, step: str) -> None:
        assert not self.seen, f"after {step}:\n  " + "\n  ".join(self.seen)


PROBLEMS = Problems()


class FieldWalk:
    def __init__(self, playwright: Playwright, profile: str) -> None:
        self.playwright = playwright
        self.profile = profile
        self.started = time.monotonic()
        self.shots = 0
        self.expected: dict[str, dict] = {}  # uuid -> {"group", "label", "answers" {qid: value}, "complete"}
        self.conflict_question: Question | None = None

    # --- browser plumbing ---

    def open_profile(self, offline: bool = False) -> tuple[BrowserContext, Page]:
        context = self.playwright.chromium.launch_persistent_context(
            self.profile,
            executable_path=CHROMIUM,
            args=ARGS,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            reduced_motion="reduce",
        )
        context.set_default_timeout(WAIT_MS)
        self.signal(context, not offline)
        PROBLEMS.attach(context, "[officer]")
        page = context.pages[0] if context.pages else context.new_page()
        return context, page

    @staticmethod
    def signal(context: BrowserContext, on: bool) -> None:
        """Signal or none: the relay cut (no request reaches the site) and Chromium told it is offline."""
        if on:
            RELAY.restore()
        else:
            RELAY.cut()
        context.set_offline(not on)

    def log(self, step: str) -> None:
        print(f"  {time.monotonic() - self.started:6.1f}s  field: {step}", flush=True)

    def shot(self, page: Page, step: str, audit: bool = True) -> None:
        self.shots += 1
        name = f"F{self.shots:02d}-phone-{step}"
        page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        PROBLEMS.check(step)
        self.log(step)
        if audit:
            A11Y.audit(page, name)

    @staticmethod
    def sign_in(page: Page, username: str, next_url: str = "/survei/lapangan/", base: str = BASE) -> None:
        page.goto(f"{base}/akun/login/?next={next_url}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(base + next_url)

    @staticmethod
    def tap(page: Page, option) -> None:
        """An answer button: the radio is hidden behind its label (Bootstrap's btn-check), as online."""
        page.click(f'label[for="{option.get_attribute("id")}"]')
        assert option.is_checked()

    @staticmethod
    def pending(page: Page) -> int:
        return page.evaluate("() => window.KotanField.ready.then(() => window.KotanField.pendingCount())")

    # --- the steps ---

    def prepare(self, page: Page) -> None:
        self.sign_in(page, OFFICER)
        self.shot(page, "lapangan-belum-siap")
        key = f"{self.period().year}/{FIELD_REGENCY}"
        page.click(f'button[data-fk-prepare="{key}"]')
        expect(page.locator("#fk-app")).to_have_attribute("data-ready", "1")
        expect(page.locator("#fk-prepared")).to_contain_text("berlaku sampai")
        # Prepared means ready for no signal: the worker active, this page in its cache (no reload needed).
        assert page.evaluate("() => !!navigator.serviceWorker.controller"), "no service worker"
        assert page.evaluate(
            "() => caches.open('kotan-pages').then(c => c.match(location.pathname)).then(r => !!r)"
        )
        self.shot(page, "lapangan-siap")

    @staticmethod
    def period() -> Period:
        return Period.objects.get(participants__code=FIELD_REGENCY)

    def new_questionnaire(self, page: Page, group: str, n: int, complete: bool, photo: bool = False) -> str:
        page.select_option("#fk-group", group)
        page.click("#fk-new")
        expect(page.locator("form#fk-form")).to_be_visible()
        uuid = page.evaluate("() => location.hash").split("/", 1)[1]
        label = f"Lapangan {n:02d} {group}"
        page.fill("#fk-label", label)
        page.fill("#fk-village", "Sisir")
        answers = self.answer(page, group, n, everything=complete)
        if photo:
            self.attach_photo(page)
        page.click("#fk-complete" if complete else "#fk-save")
        expect(page.locator("form#fk-form")).to_be_hidden()
        self.expected[uuid] = {"group": group, "label": label, "answers": answers, "complete": complete}
        return uuid

    def answer(self, page: Page, group: str, n: int, everything: bool, skip: int = 0) -> dict[int, float]:
        """Answer the group's questions (all, or the first half for a draft) as an officer taps them."""
        instrument = self.period().instrument
        questions = list(group_questions(RespondentGroup.objects.get(code=group, instrument=instrument)))
        chosen = questions if everything else questions[: len(questions) // 2]
        answers = {}
        for j, q in enumerate(chosen[skip:], start=skip):
            field = page.locator(f'[name="q{q.pk}"]')
            if q.kind == Question.Kind.NUMBER:
                value = float((n * 7 + j) % 40)
                field.fill(f"{value:g}")
                field.blur()
            else:
                option = field.nth((n + j) % field.count())
                self.tap(page, option)
                value = float(option.get_attribute("value"))
            answers[q.pk] = value
        return answers

    def offline_day_one(self, page: Page) -> list[str]:
        """Offline: 20 questionnaires over the five groups, 15 complete; a photo; the online draft edited."""
        self.signal(page.context, False)
        response = page.reload()
        assert response is None or response.from_service_worker, "the field page did not come from the cache"
        assert page.evaluate("() => navigator.onLine") is False
        drafts = []
        for n in range(20):
            group = GROUPS[n % 5]
            complete = n < 15
            uuid = self.new_questionnaire(page, group, n, complete, photo=n == 0)
            if not complete:
                drafts.append(uuid)
        self.edit_online_draft(page)
        expect(page.locator("#fk-badge")).to_contain_text("21 kuesioner belum terkirim")
        self.shot(page, "luring-antrean")
        return drafts

    def attach_photo(self, page: Page, expect_stored: bool = True) -> None:
        """A photo of the paper form, as a phone's camera takes it (3000 x 2000 px): downscaled offline. The
        one that must not fit is noise (a flat picture shrinks to a few KB)."""
        if expect_stored:
            image = Image.new("RGB", (3000, 2000), (240, 240, 230))
        else:
            image = Image.effect_noise((3000, 2000), 80).convert("RGB")
        data = io.BytesIO()
        image.save(data, "JPEG", quality=90)
        page.set_input_files(
            "#fk-photo", {"name": "formulir.jpg", "mimeType": "image/jpeg", "buffer": data.getvalue()}
        )
        if expect_stored:
            expect(page.locator("form#fk-form")).to_contain_text("formulir")
            self.shot(page, "luring-foto")

    def edit_online_draft(self, page: Page) -> None:
        """The draft started online (from the package) gets its first answer changed offline."""
        draft = Questionnaire.objects.get(label="Draf daring")
        page.locator("[data-fk-item]", has_text="Draf daring").get_by_role("link").first.click()
        expect(page.locator("form#fk-form")).to_be_visible()
        answer = draft.answers.order_by("question__order", "question_id").select_related("question").first()
        self.conflict_question = answer.question
        field = page.locator(f'[name="q{answer.question_id}"]')
        mine = next(
            field.nth(i)
            for i in range(field.count())
            if float(field.nth(i).get_attribute("value")) != answer.value
        )
        self.tap(page, mine)
        self.mine = float(mine.get_attribute("value"))
        page.click("#fk-save")
        expect(page.locator("form#fk-form")).to_be_hidden()

    def colleague_edits_online(self, browser_playwright: Playwright) -> float:
        """Meanwhile a colleague with signal changes the same answer on the online fill page."""
        browser = browser_playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
            context.set_default_timeout(WAIT_MS)
            page = context.new_page()
            self.sign_in(page, COLLEAGUE, "/", base=SITE)
            draft = Questionnaire.objects.get(label="Draf daring")
            answer = draft.answers.get(question=self.conflict_question)
            page.goto(f"{SITE}/survei/kuesioner/{draft.pk}/")
            radios = page.locator(f'input[name="q-{answer.question_id}"]')
            values = [float(radios.nth(i).get_attribute("value")) for i in range(radios.count())]
            theirs = next(v for v in reversed(values) if v not in (answer.value, self.mine))
            page.click(f'label[for="{radios.nth(values.index(theirs)).get_attribute("id")}"]')
            deadline = time.monotonic() + WAIT_MS / 1000
            while Answer.objects.get(pk=answer.pk).version == answer.version:
                assert time.monotonic() < deadline, "the colleague's autosave never landed"
                time.sleep(0.2)
            return theirs
        finally:
            browser.close()

    def day_two(self, page: Page, drafts: list[str]) -> None:
        """Browser reopened offline: the queue is still there; two drafts are finished."""
        page.goto(FIELD)
        expect(page.locator("#fk-badge")).to_contain_text("21 kuesioner belum terkirim")
        for uuid in drafts[:2]:
            page.goto(f"{FIELD}#k/{uuid}")
            expect(page.locator("form#fk-form")).to_be_visible()
            entry = self.expected[uuid]
            n = int(entry["label"].split()[1])
            more = self.answer(page, entry["group"], n, everything=True, skip=len(entry["answers"]))
            entry["answers"].update(more)
            page.click("#fk-complete")
            expect(page.locator("form#fk-form")).to_be_hidden()
            entry["complete"] = True
        self.shot(page, "luring-hari-kedua")

    def sync_with_a_cut(self, page: Page) -> None:
        """Online again: the sync is cut after the server applied the ninth questionnaire; then resumes."""
        applied = {"n": 0, "cut": False}

        def route(route) -> None:
            if applied["cut"]:
                route.abort("internetdisconnected")
                return
            response = route.fetch()
            applied["n"] += 1
            if applied["n"] == CUT_AFTER:
                applied["cut"] = True  # the server applied it; the answer never reaches the browser
                route.abort("internetdisconnected")
                return
            route.fulfill(response=response)

        page.route("**/lapangan/sinkron.json", route)
        self.signal(page.context, True)
        page.click("#fk-sync")
        expect(page.locator("#fk-app")).to_have_attribute("data-sync", "idle")
        assert applied["cut"], "the sync never reached the cut"
        # The requests up to the cut include the online draft's (it was started first).
        mid = self.field_rows().count()
        assert CUT_AFTER - 1 <= mid < 20, f"after the cut the server holds {mid} field questionnaires"
        self.log(
            f"sync cut after the server applied request {CUT_AFTER}: {mid} of 20 new questionnaires there"
        )
        self.shot(page, "sinkron-terputus")
        page.unroute("**/lapangan/sinkron.json")
        page.click("#fk-sync")
        expect(page.locator("#fk-app")).to_have_attribute("data-sync", "idle")
        expect(page.locator(f'[data-fk-conflict="{self.conflict_question.pk}"]')).to_be_visible()
        self.shot(page, "sinkron-konflik")

    def field_rows(self):
        """The questionnaires made offline (the draft started online got a uuid too at its first sync)."""
        return Questionnaire.objects.filter(
            client_uuid__isnull=False, collection__regency__code=FIELD_REGENCY
        ).exclude(label="Draf daring")

    def check_database(self, theirs: float) -> dict:
        rows = {str(q.client_uuid): q for q in self.field_rows().prefetch_related("answers")}
        assert set(rows) == set(self.expected), (
            f"{len(rows)} field questionnaires, expected {len(self.expected)}"
        )
        for uuid, entry in self.expected.items():
            q = rows[uuid]
            stored = {a.question_id: a.value for a in q.answers.all()}
            assert stored == entry["answers"], (
                f"{entry['label']}: stored {stored} != entered {entry['answers']}"
            )
            want = Questionnaire.State.COMPLETE if entry["complete"] else Questionnaire.State.DRAFT
            assert q.state == want, f"{entry['label']}: {q.state}"
            assert q.group.code == entry["group"] and q.label == entry["label"]
            history = Answer.history.filter(questionnaire_id=q.pk).count()
            assert history >= len(stored), (
                f"{entry['label']}: {history} history rows for {len(stored)} answers"
            )
        complete = sum(1 for e in self.expected.values() if e["complete"])
        assert complete == 17, complete
        draft = Questionnaire.objects.get(label="Draf daring")
        kept = draft.answers.get(question=self.conflict_question).value
        assert kept == theirs, f"the colleague's online answer {theirs} was overwritten by {kept}"
        photos = Evidence.objects.filter(client_uuid__isnull=False, collection__regency__code=FIELD_REGENCY)
        assert photos.count() == 1 and photos.get().content_type == "image/jpeg", list(photos.values())
        return self.counts()

    def counts(self) -> dict:
        return {
            "questionnaires": Questionnaire.objects.count(),
            "answers": Answer.objects.count(),
            "answer history": Answer.history.count(),
            "questionnaire history": Questionnaire.history.count(),
            "evidence": Evidence.objects.count(),
        }

    def resolve_and_resync(self, page: Page, before: dict) -> None:
        page.click(f'[data-fk-conflict="{self.conflict_question.pk}"] button[data-fk-resolve="server"]')
        expect(page.locator(f'[data-fk-conflict="{self.conflict_question.pk}"]')).to_have_count(0)
        page.click("#fk-sync")
        expect(page.locator("#fk-app")).to_have_attribute("data-sync", "idle")
        assert self.pending(page) == 0, self.pending(page)
        expect(page.locator("#fk-badge")).to_be_hidden()
        after = self.counts()
        assert after == before, f"a second sync changed the database: {before} -> {after}"
        self.log(f"second sync changed nothing: {after}")
        self.shot(page, "sinkron-selesai")

    def session_expired(self, page: Page) -> str:
        """A new offline questionnaire, the session gone: the sync asks to sign in and keeps the queue."""
        self.signal(page.context, False)
        uuid = self.new_questionnaire(page, "swasta", 20, complete=True)
        self.signal(page.context, True)
        page.context.clear_cookies()
        page.click("#fk-sync")
        expect(page.locator("#fk-login")).to_be_visible()
        assert self.pending(page) == 1
        self.shot(page, "sesi-berakhir")
        return uuid

    def colleague_on_same_profile(self, page: Page) -> None:
        """The colleague signs in on this browser: none of the officer's queue shows."""
        self.sign_in(page, COLLEAGUE)
        expect(page.locator("#fk-app")).to_be_visible()
        assert self.pending(page) == 0, "the colleague sees the officer's queue"
        expect(page.locator("#fk-badge")).to_be_hidden()
        expect(page.locator("[data-fk-item]")).to_have_count(0)
        self.shot(page, "rekan-profil-sama")
        page.context.clear_cookies()

    @staticmethod
    def log_out(page: Page, answer: str | None) -> list[str]:
        """Keluar from the user menu (behind the phone's menu button); `answer` the officer's reply to a
        warning ("accept" or "dismiss"), None when none is expected. Returns the warnings seen."""
        asked: list[str] = []

        def reply(dialog) -> None:
            asked.append(dialog.message)
            dialog.accept() if answer == "accept" else dialog.dismiss()

        page.on("dialog", reply)
        page.click(".navbar-toggler")
        page.click("[data-testid=user-menu] .dropdown-toggle")
        page.locator("form[data-fk-logout] button").click()
        if answer == "dismiss":
            expect(page.locator("[data-testid=user-menu]")).to_be_attached()
            page.wait_for_timeout(300)
        else:
            page.wait_for_url("**/akun/login/**")
        page.remove_listener("dialog", reply)
        return asked

    def officer_back_and_logout(self, page: Page, uuid: str) -> None:
        """The officer's queue is back after signing in; logging out with it unsynced asks first."""
        self.sign_in(page, OFFICER)
        assert self.pending(page) == 1, "the officer's queue was lost"
        asked = self.log_out(page, "dismiss")
        assert asked and "belum terkirim" in asked[0], f"logout with unsynced work did not warn: {asked}"
        assert self.pending(page) == 1, "the queue was cleared although the officer said no"
        page.goto(FIELD)
        page.click("#fk-sync")
        expect(page.locator("#fk-app")).to_have_attribute("data-sync", "idle")
        assert self.pending(page) == 0
        assert self.field_rows().filter(client_uuid=uuid).exists()
        self.log("logout warned about 1 unsynced questionnaire; kept it; synced")
        # One more draft, not sent yet, and this time the officer confirms: the device forgets it.
        self.new_questionnaire(page, "keluarga", 21, complete=False)
        assert self.pending(page) == 1
        assert self.log_out(page, "accept"), "no warning before wiping an unsynced questionnaire"
        self.sign_in(page, OFFICER)
        assert self.pending(page) == 0, "the confirmed logout left the queue on the device"
        expect(page.locator("[data-fk-item]")).to_have_count(0)
        self.log("logout confirmed: the officer's store was wiped")

    def refused_and_exported(self, page: Page) -> None:
        """The collection submitted meanwhile (as a colleague would; here through the database): the sync
        refuses with the reason, the questionnaire stays queued and counted on every page, and leaves the
        device as the Excel bulk-entry template."""
        page.click(f'button[data-fk-prepare="{self.period().year}/{FIELD_REGENCY}"]')  # the store was wiped
        expect(page.locator("#fk-app")).to_have_attribute("data-ready", "1")
        uuid = self.new_questionnaire(page, "instansi", 22, complete=True)
        label = self.expected[uuid]["label"]
        Collection.objects.filter(period=self.period(), regency__code=FIELD_REGENCY).update(
            state=Collection.State.SUBMITTED
        )
        page.click("#fk-sync")
        expect(page.locator("#fk-app")).to_have_attribute("data-sync", "idle")
        item = page.locator(f'[data-fk-item="{uuid}"]')
        expect(item).to_have_attribute("data-state", "refused")
        expect(item.locator(".fk-error")).not_to_be_empty()
        assert self.pending(page) == 1 and not Questionnaire.objects.filter(client_uuid=uuid).exists()
        self.shot(page, "ditolak-koleksi-terkirim")
        with page.expect_download() as download:
            page.click("#fk-export-xlsx")
        name = download.value.suggested_filename
        saved = Path(self.profile).parent / name
        download.value.save_as(saved)
        book = openpyxl.load_workbook(saved, read_only=True)
        cells = {c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
        assert label in cells, f"{label!r} is not in the exported template {name}"
        page.goto(BASE + "/")
        expect(page.locator("#fk-badge")).to_contain_text("1 kuesioner belum terkirim")
        self.log(f"refused after submission: kept, counted on the home page, exported as {name}")

    def storage_full(self) -> None:
        """A phone whose storage is nearly full: a fresh profile whose site quota (set through CDP before the
        site stores anything; Chromium fixes it when the storage is first used) holds the kit but not a
        photo. The photo is refused with the message; the questionnaire stored before it stays."""
        context = self.playwright.chromium.launch_persistent_context(
            str(Path(self.profile).parent / "full"), executable_path=CHROMIUM, args=ARGS, viewport=PHONE
        )
        try:
            context.set_default_timeout(WAIT_MS)
            PROBLEMS.attach(context, "[officer, full phone]")
            page = context.pages[0] if context.pages else context.new_page()
            quota = 1_200_000  # the service worker's copies (about 0.7 MB) and the package fit; a photo not
            context.new_cdp_session(page).send(
                "Storage.overrideQuotaForOrigin", {"origin": BASE, "quotaSize": quota}
            )
            self.sign_in(page, OFFICER)
            page.click(f'button[data-fk-prepare="{self.period().year}/{FIELD_REGENCY}"]')
            expect(page.locator("#fk-app")).to_have_attribute("data-ready", "1")
            page.select_option("#fk-group", "masyarakat")
            page.click("#fk-new")
            expect(page.locator("form#fk-form")).to_be_visible()
            self.attach_photo(page, expect_stored=False)
            expect(page.locator("#fk-storage-error")).to_be_visible()
            expect(page.locator("#fk-storage-error")).to_contain_text("penuh")
            assert self.pending(page) == 1, "the questionnaire stored before the photo was lost"
            self.shot(page, "penyimpanan-penuh")
        finally:
            context.close()
        self.log(f"storage full at {quota // 1000} KB: the photo refused with the message, nothing lost")

    def run(self) -> None:
        context, page = self.open_profile()
        self.prepare(page)
        drafts = self.offline_day_one(page)
        context.close()
        self.log("browser closed with the queue offline")
        context, page = self.open_profile(offline=True)
        self.day_two(page, drafts)
        theirs = self.colleague_edits_online(self.playwright)
        self.sync_with_a_cut(page)
        before = self.check_database(theirs)
        self.log(f"database after the sync: {before}")
        self.resolve_and_resync(page, before)
        uuid = self.session_expired(page)
        self.colleague_on_same_profile(page)
        self.officer_back_and_logout(page, uuid)
        self.refused_and_exported(page)
        self.storage_full()
        PROBLEMS.check("the field walk")
        context.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        profile = str(Path(work) / "profile")  # downloads land beside it
        expect.set_options(timeout=WAIT_MS)
        try:
            FieldWalk(playwright, profile).run()
        finally:
            RELAY.close()
        A11Y.report()
    print(f"field walk passed in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
