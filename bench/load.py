"""Load bench: many BNNK users and respondents autosaving at once, the national dashboard read meanwhile.

Figures, never assertions, except two correctness checks that make the exit status non-zero: every
request must succeed (0 errors) and every acknowledged save must be in the database (0 lost).

Driven by bench/load.sh (`make bench-load`), which creates a fresh PostgreSQL database, runs `setup`,
starts gunicorn (2 sync workers, 127.0.0.1 only) and runs `run` against it:

  setup  migrate, load_regions, load_instrument, the synthetic score history of bench/dashboards.py
         (514 kab/kota x 5 periods, so the national dashboard has a realistic 514-row ranking), and a
         period open now with --bnnk kab/kota: one BNNK user each with --per-bnnk staff questionnaires
         and --links respondent links, all created through assessments.services / assessments.links.services.
         Logged-in sessions come from Django's own test client (force_login), not from the login form
         (its password hashing would dominate the setup). Writes the plan (ids, sessions, tokens) as JSON.
  run    three timed phases against the live server, each with --vus virtual users (closed loop: each
         sends its next request as soon as the previous one answered, plus --think-ms):
           bare      GET /healthz (kotan/infra/health.py: no login, no database): the server's ceiling
           autosave  BNNK users POST /survei/kuesioner/<id>/jawaban/ (session + CSRF, base_version as
                     static/js/autosave.js sends it) and respondents POST /r/<token>/jawaban/
           mixed     the same autosaves while --dashboard-vus pusat users read /laporan/nasional/
                     (each every ~2 s: --dashboard-think-ms)
         prints requests/s, p50/p95 latency and errors per scenario, the server's CPU per request in each
         phase (gunicorn workers and the database's PostgreSQL backends, from /proc: the machine is
         shared, CPU per request depends much less on what else runs than throughput does), the ratio
         of autosave throughput to the bare view's (target >= 0.3) and the same ratio by CPU, then
         checks every acknowledged save against the database: in the answer history with its version
         and value, and the stored answer is the last one acknowledged.

The client is plain asyncio (one connection per request: gunicorn's sync workers close every
connection), loopback only; every phase stops by itself after its seconds and a request cap, and a
request unanswered after --timeout (90 s, nginx's proxy_read_timeout in deploy/) is an error.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
TARGET_RATIO = 0.3


def django_setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/load.py needs DATABASE_URL=postgres://... (bench/load.sh sets it)")
    import django

    django.setup()


# --- setup ------------------------------------------------------------------------------------------


def setup(args: argparse.Namespace) -> None:
    django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import Role, User
    from assessments import selectors, services
    from assessments.links import services as links
    from instruments.models import Question
    from instruments.services import instrument_load_default
    from regions.models import Regency
    from tests.otp import login_verified

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    call_command("load_instrument", verbosity=0)
    if args.history:
        sys.path.insert(0, str(ROOT / "bench"))
        import dashboards  # the dashboards bench's synthetic history: 514 kab/kota x 5 scored periods

        dashboards.build()
    instrument, _created = instrument_load_default()
    today = timezone.localdate()
    regencies = list(Regency.objects.order_by("code")[: args.bnnk])
    period = open_period(instrument, f"IKOTAN {today.year} (bench beban)")
    period.participants.set(regencies)
    services.period_ensure_collections(period=period)
    groups = list(instrument.groups.order_by("order", "id"))
    questions = {}  # group id -> [[question id, [allowed values] or None for a number]]
    for g in groups:
        questions[g.pk] = [
            [q.pk, None if q.kind == Question.Kind.NUMBER else [fmt(o.value) for o in q.options.all()]]
            for q in selectors.group_questions(g)
        ]

    def session_of(user) -> str:
        client = Client()
        client.force_login(user, backend="accounts.backends.ModelBackend")
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    staff, respondents = [], []
    for n, regency in enumerate(regencies):
        user = User.objects.create(username=f"beban.bnnk.{regency.code}", role=Role.BNNK, regency=regency)
        session = session_of(user)
        collection = period.collections.select_related("period", "regency").get(regency=regency)
        for i in range(args.per_bnnk):
            group = groups[(n + i) % len(groups)]
            qn = services.questionnaire_create(
                collection=collection, group=group, user=user, label=f"beban {i}"
            )
            staff.append(
                {
                    "questionnaire": qn.pk,
                    "path": reverse("assessments:answer_save", args=[qn.pk]),
                    "session": session,
                    "questions": questions[group.pk],
                }
            )
        for i in range(args.links):
            group = groups[(n + i + 1) % len(groups)]
            link = links.link_create(collection=collection, group=group, user=user, label=f"tautan {i}")
            respondents.append(
                {
                    "questionnaire": link.questionnaire_id,
                    "path": reverse("respondent:save", args=[link.token]),
                    "session": "",
                    "questions": questions[group.pk],
                }
            )
    pusat = User.objects.create(username="beban.pusat", role=Role.PUSAT)
    # Planner statistics, as autovacuum keeps them in production: without them the dashboard's joins over
    # freshly bulk-created scores take seconds of PostgreSQL CPU instead of milliseconds.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    plan = {
        "csrf": get_random_string(32, CSRF_ALLOWED_CHARS),  # as the csrftoken cookie a page would set
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "healthz": reverse("healthz"),
        # With DEBUG off BNN pusat owes a second factor: its session has entered one (accounts.two_factor).
        "dashboard": {
            "path": reverse("reports:national"),
            "session": login_verified(Client(), pusat).cookies[settings.SESSION_COOKIE_NAME].value,
        },
        "staff": staff,
        "respondents": respondents,
    }
    Path(args.plan).write_text(json.dumps(plan))
    print(
        f"setup: {len(regencies)} BNNK users, {len(staff)} staff questionnaires, {len(respondents)} "
        f"respondent links in period {period.year}; {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def open_period(instrument, name: str):
    """A synthetic period of this year on `instrument`, open 30 days ago, deadline in 30 (also chaos)."""
    from django.utils import timezone

    from assessments.models import Period

    today = timezone.localdate()
    return Period.objects.create(
        year=today.year,
        name=name,
        instrument=instrument,
        collection_opens=today - datetime.timedelta(days=30),
        collection_deadline=today + datetime.timedelta(days=30),
        verification_deadline=today + datetime.timedelta(days=44),
        is_synthetic=True,
    )


def fmt(value: float) -> str:
    """A value as the pages send it (assessments.answers.format_value): 4 not 4.0."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# --- the HTTP client ---------------------------------------------------------------------------------


async def exchange(host: str, port: int, method: str, path: str, headers: dict, body: bytes = b""):
    """One HTTP/1.0 request on its own connection: (status, headers by lower-case name, body). HTTP/1.0
    keeps gunicorn from chunking. Also the client of .ci/chaos.py."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        lines = [f"{method} {path} HTTP/1.0", f"Host: {host}:{port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    head, _sep, payload = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1]) if status_line.startswith("HTTP/") else 0
    parsed = {}
    for line in header_lines:
        name, _sep, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    return status, parsed, payload


async def http(host: str, port: int, method: str, path: str, headers: dict, body: bytes = b""):
    """One request: (status, body)."""
    status, _headers, payload = await exchange(host, port, method, path, headers, body)
    return status, payload


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: dict[str, int] = field(default_factory=dict)  # what went wrong -> count

    def fail(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())


@dataclass
class Writer:
    """One virtual user's questionnaire: the versions it has seen, like the fill page's data-version."""

    spec: dict
    versions: dict = field(default_factory=dict)  # question id -> last acknowledged version
    values: dict = field(default_factory=dict)  # question id -> last acknowledged value
    position: int = 0


class Bench:
    def __init__(self, plan: dict, base: str, *, timeout: float, think: float, dashboard_think: float, rng):
        url = urlsplit(base)
        if url.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("bench/load.py sends load to the loopback address only")
        self.host, self.port = url.hostname, url.port or 80
        self.plan = plan
        self.timeout = timeout  # a request unanswered by then counts as an error
        self.think = think  # seconds between two saves of one virtual user (on average)
        self.dashboard_think = dashboard_think
        self.rng = rng
        self.acks: list[tuple[int, int, int, float]] = []  # (questionnaire, question, version, value)
        self.stop_at = 0.0
        self.budget = 0

    def _cookies(self, session: str) -> str:
        cookies = [f"{self.plan['csrf_cookie']}={self.plan['csrf']}"]
        if session:
            cookies.append(f"{self.plan['session_cookie']}={session}")
        return "; ".join(cookies)

    def _more(self) -> bool:
        if time.perf_counter() >= self.stop_at or self.budget <= 0:
            return False
        self.budget -= 1
        return True

    async def _timed(self, stats: Stats, method: str, path: str, headers: dict, body: bytes = b""):
        started = time.perf_counter()
        try:
            status, payload = await asyncio.wait_for(
                http(self.host, self.port, method, path, headers, body), self.timeout
            )
        except TimeoutError:
            stats.fail("timeout")
            return None, None
        except OSError as exc:
            stats.fail(f"connection: {exc.__class__.__name__}")
            return None, None
        return time.perf_counter() - started, (status, payload)

    async def healthz(self, stats: Stats) -> None:
        while self._more():
            elapsed, result = await self._timed(stats, "GET", self.plan["healthz"], {})
            if result is None:
                continue
            if result[0] == 200 and result[1] == b"ok":
                stats.latencies.append(elapsed)
            else:
                stats.fail(f"HTTP {result[0]}")
            await self._pause(self.think)

    async def dashboard(self, stats: Stats) -> None:
        spec = self.plan["dashboard"]
        headers = {"Cookie": self._cookies(spec["session"])}
        while self._more():
            elapsed, result = await self._timed(stats, "GET", spec["path"], headers)
            if result is None:
                continue
            if result[0] == 200 and b"</html>" in result[1]:
                stats.latencies.append(elapsed)
            else:
                stats.fail(f"HTTP {result[0]}")
            await self._pause(self.dashboard_think)

    async def autosave(self, writer: Writer, stats: Stats) -> None:
        """Answer the questionnaire's questions in turn, each with a new value, as autosave.js does."""
        spec = writer.spec
        headers = {
            "Cookie": self._cookies(spec["session"]),
            "X-CSRFToken": self.plan["csrf"],
            "X-Requested-With": "XMLHttpRequest",
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        while self._more():
            question, allowed = spec["questions"][writer.position % len(spec["questions"])]
            writer.position += 1
            previous = writer.values.get(question)
            choices = [v for v in allowed if v != previous] if allowed else None
            value = self.rng.choice(choices) if choices else str(self.rng.randrange(1, 5000))
            base = writer.versions.get(question, 0)
            body = urlencode({"question": question, "value": value, "base_version": base}).encode()
            elapsed, result = await self._timed(stats, "POST", spec["path"], headers, body)
            if result is None:
                continue
            status, payload = result
            try:
                data = json.loads(payload)
            except ValueError:
                data = {}
            if status == 200 and data.get("ok") and data.get("value") == value:
                writer.versions[question] = data["version"]
                writer.values[question] = value
                self.acks.append((spec["questionnaire"], question, data["version"], float(value)))
                stats.latencies.append(elapsed)
            else:
                stats.fail(f"HTTP {status}" + (f" {data.get('message', '')[:60]}" if data else ""))
                if status == 409 and data.get("conflict"):  # carry on from the newer version
                    writer.versions[question] = data["conflict"]["version"]
            await self._pause(self.think)

    async def _pause(self, think: float) -> None:
        if think:
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * think)

    async def phase(self, seconds: float, cap: int, users: dict[str, list]) -> tuple[float, dict[str, Stats]]:
        """Run every virtual user of `users` (scenario -> coroutine factories) until the time is up."""
        self.stop_at = time.perf_counter() + seconds
        self.budget = cap
        stats = {name: Stats() for name in users}
        started = time.perf_counter()
        await asyncio.gather(*(make(stats[name]) for name, makers in users.items() for make in makers))
        return time.perf_counter() - started, stats


class ServerCPU:
    """CPU seconds used by the gunicorn workers and by the PostgreSQL backends of the bench database.

    Throughput on this shared 2-core machine depends on what else runs; CPU per request much less so."""

    def __init__(self, master_pid: int | None):
        self.master = master_pid

    @staticmethod
    def _stat(pid: int) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None

    def _cpu(self, pid: int) -> float:
        fields = self._stat(pid)
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0  # utime + stime

    def _workers(self) -> list[int]:
        pids = [int(d.name) for d in Path("/proc").iterdir() if d.name.isdigit()]
        return [pid for pid in pids if (f := self._stat(pid)) and int(f[1]) == self.master]

    @staticmethod
    def _backends() -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            pids = [row[0] for row in cursor.fetchall()]
        connection.close()
        return pids

    def snapshot(self) -> dict[str, dict[int, float]] | None:
        if not self.master or not Path(f"/proc/{self.master}").exists():
            return None
        return {
            "gunicorn": {pid: self._cpu(pid) for pid in self._workers()},
            "postgres": {pid: self._cpu(pid) for pid in self._backends()},
        }

    def used(self, before: dict | None) -> dict[str, float] | None:
        """CPU seconds since `before`, per side."""
        after = self.snapshot()
        if before is None or after is None:
            return None
        return {side: sum(t - before[side].get(pid, 0.0) for pid, t in after[side].items()) for side in after}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


HEADER = ("phase", "scenario", "VUs", "requests", "req/s", "p50 ms", "p95 ms", "errors")
LINE = "{:9} {:22} {:>4} {:>9} {:>8} {:>8} {:>8} {:>7}"


def report(phase: str, elapsed: float, stats: dict[str, Stats], vus: dict[str, int]) -> dict[str, float]:
    """One line per scenario, plus "autosave (all)" when staff and respondents saved together."""
    saves = [name for name in stats if name.startswith("autosave")]
    if len(saves) > 1:
        merged = Stats()
        for name in saves:
            merged.latencies += stats[name].latencies
            for what, count in stats[name].errors.items():
                merged.errors[what] = merged.errors.get(what, 0) + count
        stats = {**stats, "autosave (all)": merged}
        vus = {**vus, "autosave (all)": sum(vus[name] for name in saves)}
    rates = {}
    for name, s in stats.items():
        rates[name] = len(s.latencies) / elapsed
        ms = [x * 1000 for x in s.latencies]
        p50, p95 = percentile(ms, 50), percentile(ms, 95)
        errors = sum(s.errors.values())
        print(
            LINE.format(
                phase, name, vus[name], s.requests, f"{rates[name]:.1f}", f"{p50:.1f}", f"{p95:.1f}", errors
            )
        )
        if name != "autosave (all)":
            for what, count in sorted(s.errors.items()):
                print(f"{'':32} error x{count}: {what}")
    return rates


def run(args: argparse.Namespace) -> int:
    django_setup()  # for the CPU accounting and the final check only; the load itself is plain asyncio
    plan = json.loads(Path(args.plan).read_text())
    bench = Bench(
        plan,
        args.base,
        timeout=args.timeout,
        think=args.think_ms / 1000,
        dashboard_think=args.dashboard_think_ms / 1000,
        rng=random.Random(args.seed),
    )
    cpu = ServerCPU(args.server_pid)
    n_resp = min(len(plan["respondents"]), round(args.vus * args.respondent_share))
    n_staff = min(len(plan["staff"]), args.vus - n_resp)
    n_dash = min(args.dashboard_vus, n_staff)
    staff = [Writer(s) for s in plan["staff"][:n_staff]]
    resp = [Writer(s) for s in plan["respondents"][:n_resp]]

    def writers(ws):
        return [lambda st, w=w: bench.autosave(w, st) for w in ws]

    def readers(n, scenario):
        return [lambda st, f=scenario: f(st) for _ in range(n)]

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Load: {args.base}, gunicorn 2 sync workers, PostgreSQL; {args.vus} virtual users per phase; think "
        f"time {args.think_ms:g} ms between saves, {args.dashboard_think_ms:g} ms between dashboard views; "
        f"closed loop, so latency includes waiting for a free worker. {os.cpu_count()} cores, load average "
        f"{load} before the run.",
        flush=True,
    )
    phases = [
        ("bare", args.bare_seconds, {"healthz": readers(args.vus, bench.healthz)}),
        (
            "autosave",
            args.autosave_seconds,
            {"autosave BNNK": writers(staff), "autosave respondent": writers(resp)},
        ),
        (
            "mixed",
            args.seconds,
            {
                "autosave BNNK": writers(staff[: n_staff - n_dash]),
                "autosave respondent": writers(resp),
                "national dashboard": readers(n_dash, bench.dashboard),
            },
        ),
    ]
    rates: dict[str, dict[str, float]] = {}
    cpu_per_request: dict[str, float] = {}
    notes: list[str] = []
    errors = 0

    async def main() -> None:
        nonlocal errors
        # Warm-up (not reported): each worker loads its templates and opens its database connection.
        warm = {"h": readers(4, bench.healthz), "s": writers(staff[:8]), "r": writers(resp[:4])}
        warm["d"] = readers(1, bench.dashboard) if n_dash else []
        await bench.phase(args.warmup, args.cap, warm)
        print(LINE.format(*HEADER))
        for name, seconds, users in phases:
            if seconds <= 0:
                continue
            before = await asyncio.to_thread(cpu.snapshot)  # Django: no sync database calls in the loop
            started_client = time.process_time()
            elapsed, stats = await bench.phase(seconds, args.cap, users)
            client = (time.process_time() - started_client) / elapsed
            used = await asyncio.to_thread(cpu.used, before)
            rates[name] = report(name, elapsed, stats, {k: len(v) for k, v in users.items()})
            errors += sum(sum(s.errors.values()) for s in stats.values())
            done = sum(len(s.latencies) for s in stats.values())
            if used and done:
                cpu_per_request[name] = 1000 * sum(used.values()) / done
                web, db = (1000 * used[side] / done for side in ("gunicorn", "postgres"))
                notes.append(
                    f"{name:9} server CPU {cpu_per_request[name]:.2f} ms/request (gunicorn {web:.2f}, "
                    f"PostgreSQL {db:.2f}); load generator {100 * client:.0f}% of a core"
                )

    asyncio.run(main())
    for note in notes:
        print(note)
    if "bare" in rates and "autosave" in rates:
        saved = sum(
            v for k, v in rates["autosave"].items() if k.startswith("autosave") and k != "autosave (all)"
        )
        ratio = saved / rates["bare"]["healthz"]
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(f"autosave / bare view throughput: {ratio:.2f} (target >= {TARGET_RATIO}: {verdict})")
        if "bare" in cpu_per_request and "autosave" in cpu_per_request:
            by_cpu = cpu_per_request["bare"] / cpu_per_request["autosave"]
            print(
                f"autosave / bare view by server CPU per request: {by_cpu:.2f}"
                " (CPU only: roughly the throughput ratio on an otherwise idle machine)"
            )
    print(f"errors: {errors}" + ("" if errors == 0 else "  (must be 0)"))
    lost = verify(bench.acks)
    return 1 if errors or lost else 0


def verify(acks: list[tuple[int, int, int, float]]) -> int:
    """Every acknowledged save is in the answer history with its version and value, and the stored answer
    is the last one acknowledged. Returns how many acknowledged saves are missing."""
    from assessments.models import Answer

    ids = {a[0] for a in acks}
    history = set(
        Answer.history.filter(questionnaire_id__in=ids).values_list(
            "questionnaire_id", "question_id", "version", "value"
        )
    )
    missing = [a for a in acks if a not in history]
    last: dict[tuple[int, int], tuple[int, float]] = {}
    for qn, q, version, value in acks:
        if version >= last.get((qn, q), (0, 0.0))[0]:
            last[qn, q] = (version, value)
    stored = {
        (qn, q): (version, value)
        for qn, q, version, value in Answer.objects.filter(questionnaire_id__in=ids).values_list(
            "questionnaire_id", "question_id", "version", "value"
        )
    }
    stale = [key for key, final in last.items() if stored.get(key) != final]
    print(
        f"acknowledged saves: {len(acks)} on {len(last)} answers; in the database with that version and "
        f"value: {len(acks) - len(missing)}; lost: {len(missing)}; answers whose stored value is not the "
        f"last acknowledged: {len(stale)}"
    )
    for item in missing[:5]:
        print(f"  lost: questionnaire {item[0]} question {item[1]} version {item[2]} value {item[3]:g}")
    return len(missing) + len(stale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup", help="build the bench database and write the plan")
    s.add_argument("--plan", required=True)
    s.add_argument("--bnnk", type=int, default=50, help="kab/kota, one BNNK user each")
    s.add_argument("--per-bnnk", type=int, default=4, help="staff questionnaires per BNNK user")
    s.add_argument("--links", type=int, default=1, help="respondent links per kab/kota")
    s.add_argument("--no-history", dest="history", action="store_false", help="skip the 514 x 5 scores")
    r = sub.add_parser("run", help="run the phases against a live server, then check the database")
    r.add_argument("--plan", required=True)
    r.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    r.add_argument("--vus", type=int, default=200, help="virtual users in each phase")
    r.add_argument("--respondent-share", type=float, default=0.25)
    r.add_argument("--dashboard-vus", type=int, default=10, help="national dashboard readers (mixed)")
    r.add_argument("--seconds", type=float, default=30, help="the mixed phase")
    r.add_argument("--autosave-seconds", type=float, default=15)
    r.add_argument("--bare-seconds", type=float, default=10)
    r.add_argument("--warmup", type=float, default=3)
    r.add_argument("--cap", type=int, default=200_000, help="at most this many requests per phase")
    r.add_argument("--think-ms", type=float, default=0, help="pause between two saves of a user")
    r.add_argument("--dashboard-think-ms", type=float, default=2000, help="pause between dashboard views")
    r.add_argument("--timeout", type=float, default=90, help="seconds (nginx's proxy_read_timeout)")
    r.add_argument("--server-pid", type=int, help="gunicorn's master: measure its workers' CPU")
    r.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    else:
        sys.exit(run(args))


if __name__ == "__main__":
    main()
