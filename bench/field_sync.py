"""Field-kit bench (issue 15, `make bench-field-sync`): time and bytes to prepare the field kit and to sync
100 questionnaires filled offline, in Chromium on a district's cellular signal (400 ms latency, 50 KB/s
down, 20 KB/s up, CDP's Network.emulateNetworkConditions). Issue 15's goals: prepare <= 15 s, sync <= 60 s.
Figures only; the bench exits 0 either way.

The site runs as bench/field.py runs it (gunicorn, DEBUG off, PostgreSQL database kotan_field filled by
`make setup`, port 8791; --keep-db reuses a filled database). The demo BNNK (bnnk.malang, Kota Malang)
gets its newest collection opened for entry (state draft, deadline extended by 30 days) if it was not.

Steps, one browser context at phone width:
  prepare   signing in (an empty browser cache) and opening the field page on the field profile, then
            "Siapkan untuk lapangan" until the kit is ready for no signal (package stored, service worker
            active, page cached): seconds and bytes of each part, and what the worker's caches hold;
  offline   the network cut (context offline), 100 questionnaires created over the five groups and
            marked complete through the page (not timed: no network is involved);
  sync      the network back on the field profile, "Kirim sekarang" until nothing is pending: seconds,
            requests, bytes down (encodedDataLength) and up (request bodies), and the server's count.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.field import (  # first: bench.field sets up Django with the site's settings
    BASE,
    KB,
    OUT,
    PG_URL,
    PROFILES,
    WAIT_MS,
    collect_static,
    fresh_database,
    start_gunicorn,
    stop,
)

# isort: split
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Page, sync_playwright

from accounts.models import User
from assessments.models import Collection, Questionnaire
from assessments.selectors import group_questions
from e2e.chromium import launch

FIELD = PROFILES[0]
USER, REGENCY = "bnnk.malang", "3573"
PASSWORD = "kotan-demo-2026"
COUNT = 100


def open_collection() -> tuple[Collection, dict[str, list[dict]]]:
    """The BNNK's newest collection, opened for entry; each group's questions as the form shows them."""
    collection = (
        Collection.objects.filter(regency__code=REGENCY).select_related("period").order_by("-period__year")[0]
    )
    if collection.state != Collection.State.DRAFT or collection.deadline < timezone.localdate():
        collection.state = Collection.State.DRAFT
        collection.deadline_extended_to = timezone.localdate() + datetime.timedelta(days=30)
        collection.save(update_fields=["state", "deadline_extended_to", "updated_at"])
        print(f"opened {collection.period.year}/{REGENCY} for entry (draft, deadline +30 days)")
    groups = {
        g.code: [{"id": q.pk, "number": q.kind == "number"} for q in group_questions(g)]
        for g in collection.period.instrument.groups.all()
    }
    assert User.objects.filter(username=USER).exists(), "make setup first (or drop --keep-db)"
    return collection, groups


class Wire:
    """Bytes both ways and requests, from CDP, for one page from attach() on."""

    def __init__(self, page: Page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.up = self.down = self.requests = 0
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _sent(self, event: dict) -> None:
        self.requests += 1
        request = event["request"]
        self.up += len(request.get("postData", "").encode()) + sum(
            len(k) + len(v) + 4 for k, v in request.get("headers", {}).items()
        )

    def _finished(self, event: dict) -> None:
        self.down += event["encodedDataLength"]

    def throttle(self, on: bool) -> None:
        conditions = FIELD.conditions() if on else {**PROFILES[1].conditions()}
        self.cdp.send("Network.emulateNetworkConditions", conditions)

    def reset(self) -> tuple[int, int, int]:
        figures = (self.requests, self.down, self.up)
        self.up = self.down = self.requests = 0
        return figures


def sign_in(page: Page) -> None:
    page.goto(BASE + "/akun/login/?next=/")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(BASE + "/")


def fill_offline(page: Page, groups: dict[str, list[dict]], count: int) -> None:
    """`count` questionnaires through the page, over the groups in turn, each complete."""
    codes = sorted(groups)
    for n in range(count):
        code = codes[n % len(codes)]
        page.select_option("#fk-group", code)
        page.click("#fk-new")
        page.wait_for_selector("form#fk-form", state="visible")
        page.fill("#fk-label", f"Bangku {n:03d}")
        for j, q in enumerate(groups[code]):
            field = page.locator(f'[name="q{q["id"]}"]')
            if q["number"]:
                field.fill(str((n + j) % 30))
            else:
                option = field.nth((n + j) % field.count())  # hidden behind its label (btn-check)
                page.click(f'label[for="{option.get_attribute("id")}"]')
        page.click("#fk-complete")
        page.wait_for_selector("form#fk-form", state="hidden")
        if (n + 1) % 25 == 0:
            print(f"  offline: {n + 1} questionnaires", flush=True)


def pending(page: Page) -> int:
    return page.evaluate("() => window.KotanField.ready.then(() => window.KotanField.pendingCount())")


def run_browser(key: str, groups: dict[str, list[dict]], count: int) -> dict:
    figures = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        wire = Wire(page)
        wire.throttle(True)
        started = time.monotonic()
        sign_in(page)
        figures["sign in"] = (time.monotonic() - started, *wire.reset())
        started = time.monotonic()
        page.goto(BASE + "/survei/lapangan/", wait_until="load")
        figures["page"] = (time.monotonic() - started, *wire.reset())
        started = time.monotonic()
        page.click(f'button[data-fk-prepare="{key}"]')
        page.wait_for_selector('#fk-app[data-ready="1"]')
        figures["prepare"] = (time.monotonic() - started, *wire.reset())
        figures["precache"] = page.evaluate(PRECACHED)
        wire.throttle(False)
        context.set_offline(True)
        fill_offline(page, groups, count)
        figures["queued"] = pending(page)
        context.set_offline(False)
        wire.reset()
        wire.throttle(True)
        started = time.monotonic()
        page.click("#fk-sync")
        page.wait_for_selector('#fk-app[data-sync="idle"]')
        while pending(page) and time.monotonic() - started < WAIT_MS / 1000:
            page.click("#fk-sync")
            page.wait_for_selector('#fk-app[data-sync="idle"]')
        figures["sync"] = (time.monotonic() - started, *wire.reset())
        figures["left"] = pending(page)
        browser.close()
    return figures


# What the service worker stored for offline use (its own requests are not the page's: CDP's throttling of
# the page does not apply to them, and they are not counted above): files and uncompressed bytes.
PRECACHED = """async () => {
  let files = 0, bytes = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      files += 1;
      bytes += (await (await cache.match(request)).blob()).size;
    }
  }
  return [files, bytes];
}"""


def line(name: str, figures: tuple[float, int, int, int]) -> str:
    seconds, requests, down, up = figures
    return (
        f"{name:<28} {seconds:6.1f} s  {requests:4d} requests  {down / KB:7.1f} KB down  {up / KB:7.1f} KB up"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--keep-db", action="store_true", help="reuse the database a previous run filled")
    parser.add_argument("--count", type=int, default=COUNT, help="questionnaires filled offline")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.keep_db:
        print(f"fresh database {PG_URL.rsplit('/', 1)[1]} with the demo data (make setup) ...", flush=True)
        fresh_database(dict(os.environ))
    else:  # a database an older tree filled: bring its schema up to this tree's
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], check=True)
    collect_static(dict(os.environ))
    collection, groups = open_collection()
    key = f"{collection.period.year}/{REGENCY}"
    before = Questionnaire.objects.filter(collection=collection).count()
    connections.close_all()
    server = start_gunicorn(dict(os.environ))
    try:
        figures = run_browser(key, groups, args.count)
    finally:
        stop(server)
    synced = Questionnaire.objects.filter(collection=collection).count() - before
    print(f"\n## field kit on the field profile ({FIELD.latency_ms} ms, {FIELD.down // KB} KB/s down, "
          f"{FIELD.up // KB} KB/s up); {args.count} questionnaires")  # fmt: skip
    print(line("sign in (login page, home)", figures["sign in"]))
    print(line("open the field page", figures["page"]))
    print(line("prepare (session + package)", figures["prepare"]))
    total = figures["page"][0] + figures["prepare"][0]
    verdict = "ok" if total <= 15 else "OVER"
    print(f"prepare (field page + kit) in all: {total:.1f} s (goal <= 15 s: {verdict})")
    files, size = figures["precache"]
    print(
        f"service worker's caches: {files} files, {size / KB:.0f} KB uncompressed (the worker's own "
        "requests, mostly answered by the HTTP cache the page filled; not throttled, not counted above)"
    )
    print(f"queued offline: {figures['queued']}")
    print(line(f"sync {figures['queued']} questionnaires", figures["sync"]))
    print(f"sync: {figures['sync'][0]:.1f} s (goal <= 60 s: {'ok' if figures['sync'][0] <= 60 else 'OVER'}); "
          f"still pending {figures['left']}; the server holds {synced} new questionnaires")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
