"""Field bench (issue 14, `make bench-field`): each role's main pages in Chromium on a district's cellular
signal (400 ms latency, 50 KB/s down, 20 KB/s up), then with no throttling. Figures only, no verdict.

The site runs as production runs it: gunicorn with deploy/gunicorn.conf.py, DEBUG off (so two-factor for
BNNP and BNN pusat, WhiteNoise serving the collected static files with content-hashed names and their
gzip/Brotli copies), on PostgreSQL: a fresh database of its own (FIELD_PG_URL, default kotan_field) filled
by `make setup` (the demo users, kotan-demo-2026, and the demo data). gunicorn listens on FIELD_PORT
(default 8791) and is stopped, by its pid, however the bench ends. Collected static files are kept in
bench/out/field-static and collected again only when a file under static/ is newer than their manifest.

Each demo user signs in once through the login form (the code page too, with an authenticator the bench
gives BNNP and pusat); every measured visit then starts from that session. Per page and profile:
  cold    a fresh browser context (empty HTTP cache), the page opened once;
  repeat  the same context, the page opened again in a new tab, as a user coming back to it.
Per visit: requests that went to the network (304s included; cache hits not), bytes transferred
(encodedDataLength of CDP's Network.loadingFinished: headers and compressed bodies), seconds to the `load`
event (Navigation Timing's loadEventEnd) and the largest resource. Throttling is CDP's
Network.emulateNetworkConditions (throughputs in bytes per second; 1 KB = 1024 bytes).

Options: --keep-db (reuse a kotan_field database a previous run filled), --profile field|none (one
profile only), --roles bnnk,bnnp,pusat, --verbose (every request of every visit).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VENV = Path(sys.executable).parent.parent  # the venv this bench runs in (`make bench-field VENV=...`)
OUT = ROOT / "bench" / "out"
PORT = int(os.environ.get("FIELD_PORT", "8791"))
BASE = f"http://127.0.0.1:{PORT}"
PG_URL = os.environ.get("FIELD_PG_URL", "postgres://postgres@127.0.0.1:5432/kotan_field")
STATIC_ROOT = OUT / "field-static"
PASSWORD = os.environ.get("DEMO_PASSWORD", "kotan-demo-2026")  # accounts/demo.py's
KB = 1024
WAIT_MS = 300_000  # a bound for a hang: 1.6 MB at 50 KB/s is 33 s; a loaded machine is slower


def site_env() -> dict[str, str]:
    """Production settings (kotan/settings.py, DEBUG off) on loopback HTTP, as e2e/run.sh runs them."""
    env = dict(os.environ)
    env.pop("CELERY_BROKER_URL", None)  # Celery eager: no worker to start; scores are stored already
    env.update(
        DATABASE_URL=PG_URL,
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY="bench-field-not-a-secret",
        CELERY_TASK_ALWAYS_EAGER="1",
        STATIC_ROOT=str(STATIC_ROOT),
        STATIC_COMPRESS="1",
        MEDIA_ROOT=str(OUT / "field-media"),
        SITE_URL=BASE,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT="9",
        EMAIL_USE_TLS="0",
        LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_WORKERS="2",
        DJANGO_SETTINGS_MODULE="kotan.settings",
    )
    return env


# This process reads the site's database with the site's settings (make setup's commands alone get DEBUG on).
os.environ.update(site_env())
django.setup()

from django.db import connections  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp.oath import totp  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.two_factor import TOTP_DEVICE_NAME, required_for  # noqa: E402
from assessments.models import Collection  # noqa: E402
from e2e.chromium import launch  # noqa: E402


@dataclass(frozen=True)
class Profile:
    name: str
    latency_ms: int
    down: int  # bytes per second; -1: no throttling
    up: int

    def conditions(self) -> dict:
        return {
            "offline": False,
            "latency": self.latency_ms,
            "downloadThroughput": self.down,
            "uploadThroughput": self.up,
        }


PROFILES = [Profile("field", 400, 50 * KB, 20 * KB), Profile("none", 0, -1, -1)]


@dataclass(frozen=True)
class Target:
    """Issue 14's figures for one page on the field profile (None: no weight target, stays as it is)."""

    max_kb: int | None = None
    cold_s: float = 5.0
    repeat_s: float = 2.0


LIGHT = Target(250)  # report card, province dashboard
NATIONAL = Target(500)
ENTRY = Target()  # entry pages: "stay where they are" (about 70 KB)


@dataclass(frozen=True)
class PageSpec:
    role: str
    user: str
    name: str
    path: str
    target: Target


@dataclass
class Visit:
    requests: int = 0
    cached: int = 0
    bytes: int = 0
    load_s: float = 0.0
    largest: tuple[int, str] = (0, "-")
    fetched: list[tuple[int, str]] = field(default_factory=list)  # (bytes, address), largest first


Row = tuple[PageSpec, Visit, Visit]  # one page under one profile: cold, repeat


@dataclass
class Tracker:
    """One tab's network, from CDP: what was fetched, from where, how many bytes."""

    urls: dict[str, str] = field(default_factory=dict)
    cached: set[str] = field(default_factory=set)
    sizes: dict[str, int] = field(default_factory=dict)

    def attach(self, cdp) -> None:
        cdp.on(
            "Network.requestWillBeSent", lambda e: self.urls.setdefault(e["requestId"], e["request"]["url"])
        )
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._response)
        cdp.on(
            "Network.loadingFinished",
            lambda e: self.sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )

    def _response(self, event: dict) -> None:
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def visit(self, load_s: float) -> Visit:
        fetched = {rid: size for rid, size in self.sizes.items() if rid not in self.cached}
        visit = Visit(
            requests=len(fetched), cached=len(self.cached), bytes=sum(fetched.values()), load_s=load_s
        )
        visit.fetched = sorted(
            ((size, self.urls.get(rid, "?")) for rid, size in fetched.items()), reverse=True
        )
        if fetched:
            size, url = visit.fetched[0]
            visit.largest = (size, urlsplit(url).path.rsplit("/", 1)[-1] or "/")
        return visit


# --- the site -----------------------------------------------------------------------------------------------


def run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def fresh_database(env: dict[str, str]) -> None:
    """Drop and create the bench's own database, then `make setup` (migrations, regions, instrument, demo
    users and data; its commands refuse DEBUG off, so they alone run with DEBUG on)."""
    server, name = PG_URL.rsplit("/", 1)
    assert name.isidentifier(), f"FIELD_PG_URL must end in a plain database name, not {name!r}"
    quiet = dict(env, PGOPTIONS="--client-min-messages=warning")
    run(["psql", f"{server}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c",
         f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", "-c", f"CREATE DATABASE {name}"], quiet)  # fmt: skip
    # -o: the venv is taken as it is (never a pip install from here).
    run(["make", "-s", "-o", f"{VENV}/.req", "setup", f"VENV={VENV}"], dict(env, DEBUG="1"))


def collect_static(env: dict[str, str]) -> None:
    manifest = STATIC_ROOT / "staticfiles.json"
    if manifest.exists():
        built = manifest.stat().st_mtime
        if not any(p.stat().st_mtime > built for p in (ROOT / "static").rglob("*") if p.is_file()):
            return
    print(f"collectstatic (hashed names, gzip and Brotli copies) into {STATIC_ROOT} ...", flush=True)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v", "0"], env)


def start_gunicorn(env: dict[str, str]) -> subprocess.Popen:
    log = open(OUT / "field-gunicorn.log", "w")  # noqa: SIM115 - open as long as gunicorn runs
    server = subprocess.Popen(
        [str(VENV / "bin" / "gunicorn"), "kotan.wsgi", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn ended (exit {server.returncode}); see {log.name}")
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise SystemExit(f"gunicorn did not answer on {BASE} within 5 minutes; see {log.name}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- what is measured ---------------------------------------------------------------------------------------


def prepare(roles: list[str]) -> tuple[list[PageSpec], dict[str, bytes]]:
    """The pages of each role in the demo data, and an authenticator (its key) for each demo user that
    owes a second factor. The ORM is used only before the browser starts (it refuses to run beside
    Playwright's event loop)."""
    bnnk = "bnnk.malang"
    mine = (
        Collection.objects.filter(regency__code="3573").select_related("period").order_by("-period__year")[0]
    )
    year = mine.period.year
    submitted = Collection.objects.filter(
        period=mine.period, regency__province__code="35", state=Collection.State.SUBMITTED
    ).order_by("regency__code")[0]
    filled = mine.questionnaires.order_by("pk")[0]
    pages = [
        PageSpec("BNNK", bnnk, "collection", reverse("assessments:collection", args=[year, "3573"]), ENTRY),
        PageSpec("BNNK", bnnk, "new questionnaire",
                 reverse("assessments:questionnaire_new", args=[year, "3573"]), ENTRY),
        PageSpec("BNNK", bnnk, "fill", reverse("assessments:questionnaire", args=[filled.pk]), ENTRY),
        PageSpec("BNNK", bnnk, "report card", reverse("reports:regency", args=["3573"]), LIGHT),
        PageSpec("BNNP", "bnnp.jatim", "province dashboard", reverse("reports:province", args=["35"]), LIGHT),
        PageSpec("BNNP", "bnnp.jatim", "progress", reverse("assessments:progress"), ENTRY),
        PageSpec("BNNP", "bnnp.jatim", f"review {submitted.regency.code}",
                 reverse("assessments:review", args=[year, submitted.regency.code]), ENTRY),
        PageSpec("pusat", "pusat", "national dashboard", reverse("reports:national"), NATIONAL),
        # The ranking is the national page's table; filtered to the kota it is the page's lighter form.
        PageSpec("pusat", "pusat", "ranking (kota)", reverse("reports:national") + "?jenis=kota", NATIONAL),
    ]  # fmt: skip
    pages = [p for p in pages if p.role.lower() in roles]
    keys = {}
    for username in sorted({p.user for p in pages}):
        user = User.objects.get(username=username)
        if required_for(user):
            device = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first() or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
            keys[username] = device.bin_key
    connections.close_all()
    return pages, keys


def sign_in(browser: Browser, username: str, keys: dict[str, bytes]) -> dict:
    """The login form (and the code page), unthrottled; the session's cookies for the measured visits."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(BASE + "/akun/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    if username in keys:
        page.wait_for_url("**/akun/2fa/verifikasi/**")
        page.fill("input[name=code]", f"{totp(keys[username]):06d}")
        page.click("main button[type=submit]")
    page.wait_for_url(BASE + "/")
    state = context.storage_state()
    context.close()
    return state


def open_page(context, url: str, profile: Profile) -> Visit:
    """One visit in a new tab of `context` under `profile`: goto, wait for `load`, read the figures."""
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    cdp = context.new_cdp_session(page)
    tracker = Tracker()
    tracker.attach(cdp)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Network.emulateNetworkConditions", profile.conditions())
    response = page.goto(url, wait_until="load")
    if response is None or response.status >= 400 or response.url.startswith(BASE + "/akun/"):
        print(f"  ! {url} answered {response and response.status} at {response and response.url}", flush=True)
    load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    visit = tracker.visit(load_ms / 1000)
    page.close()
    return visit


def measure(browser: Browser, spec: PageSpec, state: dict, profile: Profile) -> tuple[Visit, Visit]:
    context = browser.new_context(storage_state=state, viewport={"width": 1366, "height": 900})
    try:
        cold = open_page(context, BASE + spec.path, profile)
        repeat = open_page(context, BASE + spec.path, profile)
    finally:
        context.close()
    return cold, repeat


# --- what is printed ----------------------------------------------------------------------------------------


def kb(n: int) -> str:
    return f"{n / KB:,.0f}"


def print_table(profile: Profile, rows: list[Row]) -> None:
    if profile.down < 0:
        title = "no throttling"
    else:
        title = f"{profile.latency_ms} ms latency, {profile.down // KB} KB/s down, {profile.up // KB} KB/s up"
    print(f"\n## profile {profile.name}: {title}")
    columns = [
        "role",
        "page",
        "cold req",
        "cold KB",
        "cold s",
        "repeat req (cached)",
        "repeat KB",
        "repeat s",
    ]
    columns.append("largest cold resource")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for spec, cold, rep in rows:
        size, name = cold.largest
        print(
            f"| {spec.role} | {spec.name} | {cold.requests} | {kb(cold.bytes)} | {cold.load_s:.1f} | "
            f"{rep.requests} ({rep.cached}) | {kb(rep.bytes)} | {rep.load_s:.1f} | {name} {kb(size)} KB |"
        )


def line(visit: Visit) -> str:
    return f"{visit.load_s:5.1f} s {kb(visit.bytes):>6} KB in {visit.requests} requests"


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def print_summary(rows: list[Row]) -> None:
    """Issue 14's targets beside the field profile's figures (a reading, not a test: the bench exits 0)."""
    print("\n## field profile against issue 14's targets")
    for spec, cold, rep in rows:
        t = spec.target
        weight = (
            f"{kb(cold.bytes)} KB cold (target <= {t.max_kb} KB: {verdict(cold.bytes <= t.max_kb * KB)})"
            if t.max_kb
            else f"{kb(cold.bytes)} KB cold (entry page: stays about 70 KB)"
        )
        cold_s = f"cold {cold.load_s:.1f} s (<= {t.cold_s:.0f} s: {verdict(cold.load_s <= t.cold_s)})"
        repeat_s = f"repeat {rep.load_s:.1f} s (<= {t.repeat_s:.0f} s: {verdict(rep.load_s <= t.repeat_s)})"
        print(f"{spec.role} {spec.name}: {cold_s}, {repeat_s}, {weight}")


def browse(pages: list[PageSpec], keys: dict[str, bytes], profiles: list[Profile], verbose: bool) -> dict:
    """Every page under every profile, cold then repeat: {profile name: [(page, cold, repeat)]}."""
    results: dict[str, list[Row]] = {p.name: [] for p in profiles}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        states = {user: sign_in(browser, user, keys) for user in dict.fromkeys(p.user for p in pages)}
        for profile in profiles:
            for spec in pages:
                cold, rep = measure(browser, spec, states[spec.user], profile)
                results[profile.name].append((spec, cold, rep))
                print(
                    f"  {profile.name:5} {spec.role:5} {spec.name:22} {line(cold)}; repeat {line(rep)}",
                    flush=True,
                )
                for kind, visit in (("cold", cold), ("repeat", rep)) if verbose else ():
                    print(
                        "\n".join(f"      {kind:6} {kb(n):>6} KB {url}" for n, url in visit.fetched),
                        flush=True,
                    )
        browser.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--keep-db", action="store_true", help="reuse the database a previous run filled")
    parser.add_argument("--profile", choices=[p.name for p in PROFILES], help="one profile only")
    parser.add_argument("--roles", default="bnnk,bnnp,pusat", help="comma-separated: bnnk, bnnp, pusat")
    parser.add_argument("--verbose", action="store_true", help="every request of every visit")
    args = parser.parse_args()
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if not args.keep_db:
        print(f"fresh database {PG_URL.rsplit('/', 1)[1]} with the demo data (make setup) ...", flush=True)
        fresh_database(env)
    collect_static(env)
    pages, keys = prepare(args.roles.lower().split(","))
    profiles = [p for p in PROFILES if args.profile in (None, p.name)]
    server = start_gunicorn(env)
    print(
        f"site up on {BASE} after {time.monotonic() - started:.0f} s (gunicorn pid {server.pid})", flush=True
    )
    try:
        results = browse(pages, keys, profiles, args.verbose)
    finally:
        stop(server)
    for profile in profiles:
        print_table(profile, results[profile.name])
    if "field" in results:
        print_summary(results["field"])
    print(f"\nbench-field: {time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
