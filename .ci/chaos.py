"""Chaos check (`make chaos`, issue 11 point 6): users keep saving while Redis, worker and PostgreSQL fail.

Run by .ci/chaos.sh, which makes the private PostgreSQL cluster (initdb), sets the environment (DEBUG off,
ports, a temporary folder), collects the static files and holds the service command lines
(`chaos.sh svc ...`). This script, in order:

  1. starts the private PostgreSQL (pg_ctl) and redis-server, then migrate and load_regions;
  2. builds the data: a current-year period of every kab/kota (514) on the small test instrument
     (tests/factories.py: keluarga quota 2, instansi quota 1, one required evidence); most collections
     submitted with CHAOS_QUESTIONNAIRES complete questionnaires each (COPY, bench/recompute.build), their
     submission snapshots and scores; CHAOS_DRAFTS collections in draft, each with a BNNK user, its
     required evidence (tests.factories.attach_sk) and a logged-in session (Django's test client
     force_login, as bench/load.py); a period recompute is then one chunk task per province (38);
  3. starts gunicorn (2 workers), a Celery worker (concurrency 2, without gossip and mingle as
     deploy/kotan-worker.service runs it) and beat; one of them that exits by itself is started again 5 s
     later, as systemd's Restart= does in production, so the later faults still run: the exit is reported
     with its log's reason and fails the run;
  4. runs CHAOS_VUS virtual users (plain asyncio, one connection per request): each takes a BNNK account,
     creates questionnaires (POST .../kuesioner/baru/), autosaves their answers (POST
     /survei/kuesioner/<id>/jawaban/ with base_version, as static/js/autosave.js; CHAOS_SAVES per
     questionnaire, ~CHAOS_THINK s apart), marks each complete ("Tandai lengkap"), reads the collection
     page, and once the quotas are met submits ("Kirim ke BNNP") and takes the next account. A request
     answered 5xx or failing at the connection level is sent again unchanged with backoff (0.5 s up to
     4 s), like autosave.js: a save retried after its first attempt went through is answered 200 by the
     server (same value, base_version one behind), so it is neither lost nor a conflict;
  5. strikes in turn, each fault a window of its own:
       baseline  CHAOS_BASELINE s of load, nothing broken;
       (a) redis    kill -9 of redis-server, CHAOS_REDIS_DOWN s down, started again on the same port
                    (empty: no persistence);
       (b) worker   a band edge of the period's scheme moved through the ORM and
                    scoring.tasks.recompute_period queued (as BNN pusat's edit does, one chunk task per
                    province); once some but not all scores carry the new result,
                    kill -9 of the worker's main process and its pool, 3 s, a new worker;
       (c) postgres (b)'s band edit undone and its recompute queued, then at once pg_ctl stop -m fast,
                    CHAOS_PG_DOWN s down, pg_ctl start (score work in flight when the database goes);
     after each recovery (Redis answering, the new worker ready, PostgreSQL accepting connections) the
     users' submits wait (so the set of collections to score stands still; autosaves go on, drafts carry
     no stored score) while scoring.services.score_mismatches(period) is polled every CHAOS_POLL s: the
     seconds until it is empty are the fault's figure (goal <= 120 s); then every save acknowledged in the
     window is looked up in the answer history (version and value);
  6. stops the load and checks everything: every acknowledged save in the history and the stored answer
     the last acknowledged (bench/load.py's verify), every questionnaire the server took as complete is
     complete, every collection it took as submitted is submitted;
  7. prints the table and "chaos: passed" or "chaos: FAILED (reasons)", and stops what it started.

Exit status 1 on any lost save (or complete/submit), any 500 or other 5xx (a 503 is allowed only during
(c): from the stop until CHAOS_PG_GRACE s after PostgreSQL is back), any request failing at the connection
level, any unexpected answer (a 409 conflict, a 401, ...), a score still wrong CHAOS_SCORE_BOUND s (300)
after a recovery, or a service that died by itself. Every wait on a service is a bound for a hang, never
a speed assertion. The script is the child subreaper of what it starts (PID 1 here reaps orphans only now
and then), so nothing it started is left behind, not even a zombie.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

import load  # noqa: E402  bench/load.py: fmt (values as pages send them) and verify (acknowledged saves)


def env_number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


SCORE_BOUND = env_number("CHAOS_SCORE_BOUND", 300)  # s after a recovery: a score still wrong fails
SCORE_GOAL = env_number("CHAOS_SCORE_GOAL", 120)  # s after a recovery: the goal (reported)
REDIS_DOWN = env_number("CHAOS_REDIS_DOWN", 30)
PG_DOWN = env_number("CHAOS_PG_DOWN", 20)
PG_GRACE = env_number("CHAOS_PG_GRACE", 10)  # 503s still allowed this long after PostgreSQL is back
WORKER_DOWN = env_number("CHAOS_WORKER_DOWN", 3)
BASELINE = env_number("CHAOS_BASELINE", 5)
AFTER = env_number("CHAOS_AFTER", 6)  # s of load at least after each recovery, before the next fault
VUS = int(env_number("CHAOS_VUS", 10))
THINK = env_number("CHAOS_THINK", 0.2)  # s between two requests of a user (on average)
SAVES = int(env_number("CHAOS_SAVES", 24))  # autosaves per questionnaire before "Tandai lengkap"
DRAFTS = int(env_number("CHAOS_DRAFTS", 120))  # BNNK accounts (draft collections) for the users
QUESTIONNAIRES = int(env_number("CHAOS_QUESTIONNAIRES", 12))  # per submitted collection
POLL = env_number("CHAOS_POLL", 2.5)  # s between two score checks
HANG = env_number("CHAOS_HANG", 600)  # bound for a service to start or a task to begin: a hang only
REQUEST_TIMEOUT = 90  # s, nginx's proxy_read_timeout in deploy/
SEED = int(env_number("CHAOS_SEED", 2026))

CHAOS_DIR = Path(os.environ.get("CHAOS_DIR", "/nonexistent"))
WEB_PORT = int(os.environ.get("CHAOS_WEB_PORT", "0"))
RESTART_SEC = 5  # deploy/kotan-{worker,beat,web}.service: RestartSec=5
T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", flush=True)


# --- processes ------------------------------------------------------------------------------------------


def become_subreaper() -> None:
    """Services started through `chaos.sh svc` outlive that shell: as the child subreaper this process
    inherits them and reaps them once stopped (PID 1 on this machine reaps orphans only now and then)."""
    try:
        if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError) as exc:
        log(f"warning: not a child subreaper ({exc}); stopped services may stay as zombies")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def reap() -> None:
    """Collect the exit status of every child that has ended (only ended ones: never a running one)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields and fields[0] == "Z" and int(fields[1]) == me:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(int(entry.name), 0)


def children(parent: int | None = None) -> list[int]:
    """The processes whose parent is `parent` (this process by default)."""
    parent = parent or os.getpid()
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == parent:
            out.append(int(entry.name))
    return out


def command(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """One of this script's own fixed command lines (no outside input), its program found on PATH."""
    return subprocess.run([shutil.which(args[0]) or args[0], *args[1:]], **kwargs)  # noqa: S603


class Services:
    """The services, through `chaos.sh svc ACTION` (the command lines live there, in one place)."""

    def run(self, *args: str) -> None:
        command(["bash", str(ROOT / ".ci" / "chaos.sh"), "svc", *args], check=True, cwd=ROOT)
        reap()

    def pid(self, name: str) -> int | None:
        try:
            return int((CHAOS_DIR / "pids" / name).read_text())
        except (OSError, ValueError):
            return None

    def alive(self, name: str) -> bool:
        pid = self.pid(name)
        fields = _stat(pid) if pid else None
        return bool(fields) and fields[0] != "Z"


def wait_for(what: str, check, bound: float = HANG, every: float = 0.2) -> float:
    """Poll `check` until true; seconds waited. A bound for a hang, never a speed check."""
    started = time.monotonic()
    while True:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        if time.monotonic() - started > bound:
            raise SystemExit(f"chaos: {what} not after {bound:.0f} s")
        time.sleep(every)
        reap()


def http_ok(path: str) -> bool:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{WEB_PORT}{path}", timeout=5) as response:
        return response.status == 200


def worker_ready(n: int) -> bool:
    return " ready." in (CHAOS_DIR / "logs" / f"worker-{n}.log").read_text(errors="replace")


# --- data -------------------------------------------------------------------------------------------------


@dataclass
class Account:
    """One BNNK user and the draft collection of its kab/kota."""

    collection: int
    session: str
    page: str
    new: str
    submit: str


@dataclass
class Plan:
    period: int
    csrf: str
    session_cookie: str
    csrf_cookie: str
    today: str  # the server's date (Asia/Jakarta), for the questionnaires' filled_on
    save_path: str  # with {} for the questionnaire id
    complete_path: str
    groups: list[tuple[int, int, list]]  # (group id, quota, [[question id, [values] or None]])
    accounts: list[Account] = field(default_factory=list)


def setup_data() -> Plan:
    import numpy as np
    from django.conf import settings
    from django.db import connection
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import Role, User
    from assessments import selectors, snapshots
    from assessments.models import Collection
    from instruments.models import Question
    from regions.models import Regency
    from scoring import services
    from tests import factories

    started = time.monotonic()
    instrument = factories.make_instrument(version="chaos")
    today = timezone.localdate()
    period = load.open_period(instrument, f"IKOTAN {today.year} (uji chaos)")
    regencies = list(Regency.objects.order_by("code"))
    step = max(1, len(regencies) // max(1, DRAFTS))
    drafts = regencies[step // 2 :: step][:DRAFTS]  # spread over the provinces
    draft_ids = {r.pk for r in drafts}
    now = timezone.now()
    Collection.objects.bulk_create(
        Collection(period=period, regency=r, state=Collection.State.SUBMITTED, submitted_at=now)
        for r in regencies
        if r.pk not in draft_ids
    )
    import recompute  # bench/recompute.py: questionnaires and answers by COPY

    with contextlib.redirect_stdout(io.StringIO()):  # its progress lines
        recompute.build(period, QUESTIONNAIRES, np.random.default_rng(SEED))
    submitted = list(period.collections.select_related("period"))
    for collection in submitted:
        snapshots.take_snapshot(collection)
    Collection.objects.bulk_create(
        Collection(period=period, regency=r, state=Collection.State.DRAFT) for r in drafts
    )
    # Set last: participants joining a period get draft collections, and these are made above.
    period.participants.set(regencies)
    run = services.score_collections(period)

    groups = []
    for g in instrument.groups.order_by("order", "id"):
        questions = [
            [q.pk, None if q.kind == Question.Kind.NUMBER else [load.fmt(o.value) for o in q.options.all()]]
            for q in selectors.group_questions(g)
        ]
        groups.append((g.pk, g.min_quota, questions))
    plan = Plan(
        period=period.pk,
        csrf=get_random_string(32, CSRF_ALLOWED_CHARS),  # as the csrftoken cookie a page would set
        session_cookie=settings.SESSION_COOKIE_NAME,
        csrf_cookie=settings.CSRF_COOKIE_NAME,
        today=today.isoformat(),
        save_path=reverse("assessments:answer_save", args=[0]).replace("/0/", "/{}/"),
        complete_path=reverse("assessments:questionnaire_complete", args=[0]).replace("/0/", "/{}/"),
        groups=groups,
    )
    collections = {c.regency_id: c for c in period.collections.filter(state=Collection.State.DRAFT)}
    for regency in drafts:
        collection = collections[regency.pk]
        collection.period = period
        user = User.objects.create(username=f"chaos.bnnk.{regency.code}", role=Role.BNNK, regency=regency)
        factories.attach_sk(collection)
        client = Client()
        client.force_login(user, backend="accounts.backends.ModelBackend")
        args = [period.year, regency.code]
        plan.accounts.append(
            Account(
                collection=collection.pk,
                session=client.cookies[settings.SESSION_COOKIE_NAME].value,
                page=reverse("assessments:collection", args=args),
                new=reverse("assessments:questionnaire_new", args=args),
                submit=reverse("assessments:collection_submit", args=args),
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(
        f"data: period {period.year} with {len(regencies)} kab/kota, {len(submitted)} submitted x "
        f"{QUESTIONNAIRES} questionnaires (scores: {run.written} written), {len(drafts)} BNNK accounts in "
        f"draft; {time.monotonic() - started:.0f} s"
    )
    return plan


# --- load -------------------------------------------------------------------------------------------------


@dataclass
class Record:
    window: str
    kind: str  # save, new, complete, submit, page
    status: int  # 0: no answer (connection refused or reset, timeout)
    done: float  # seconds since the start, when the answer came
    error: str = ""


class Load:
    """The virtual users. Driven from the orchestrating thread through window, gate and stopping."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.rng = random.Random(SEED)
        self.accounts = deque(plan.accounts)
        self.window = "baseline"
        self.gate = threading.Event()  # set: users may submit
        self.gate.set()
        self.stopping = False
        self.records: list[Record] = []
        # (window, questionnaire, question, version, value) of every save answered 200 with ok
        self.acks: list[tuple[str, int, int, int, float]] = []
        self.odd_saves = 0  # answered 200 with ok but another value than the one sent
        self.completed: list[int] = []  # questionnaires the server took as complete
        self.submitted: list[int] = []  # collections the server took as submitted
        self.unacknowledged = 0  # saves still unanswered when the run stopped
        self.abandoned = 0  # accounts given up (a questionnaire could not be created)
        self.exhausted = 0  # users that ran out of accounts (then only read pages)
        self.thread: threading.Thread | None = None

    # requests

    async def call(self, kind: str, method: str, path: str, session: str, form=None, ajax=False):
        plan = self.plan
        headers = {
            "Cookie": f"{plan.csrf_cookie}={plan.csrf}; {plan.session_cookie}={session}",
            "X-CSRFToken": plan.csrf,
        }
        if ajax:
            headers["X-Requested-With"] = "XMLHttpRequest"
            headers["Accept"] = "application/json"
        body = b""
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form).encode()
        error = ""
        try:
            status, answer_headers, payload = await asyncio.wait_for(
                load.exchange("127.0.0.1", WEB_PORT, method, path, headers, body), REQUEST_TIMEOUT
            )
        except TimeoutError:
            status, answer_headers, payload, error = 0, {}, b"", "timeout"
        except OSError as exc:
            status, answer_headers, payload, error = 0, {}, b"", exc.__class__.__name__
        self.records.append(Record(self.window, kind, status, time.monotonic() - T0, error))
        return status, answer_headers, payload

    async def persist(self, kind: str, method: str, path: str, session: str, form=None, ajax=False):
        """The request until it gets an answer below 500, sent again unchanged with backoff after a 5xx or a
        connection failure (autosave.js does so with a save). None when the run stopped meanwhile and
        another minute of retries did not get it through."""
        delay, give_up = 0.5, None
        while True:
            status, headers, payload = await self.call(kind, method, path, session, form, ajax)
            if 0 < status < 500:
                return status, headers, payload
            if self.stopping:
                give_up = give_up or time.monotonic() + 60
                if time.monotonic() > give_up:
                    return None
            await asyncio.sleep(delay)
            delay = min(4.0, delay * 2)

    async def pause(self) -> None:
        await asyncio.sleep(self.rng.uniform(0.5, 1.5) * THINK)

    # a user's steps

    async def save(self, account: Account, qn: int, question: int, allowed, state: dict) -> None:
        previous = state["values"].get(question)
        choices = [v for v in allowed if v != previous] if allowed else None
        value = self.rng.choice(choices) if choices else str(self.rng.randrange(1, 5000))
        base = state["versions"].get(question, 0)
        form = {"question": question, "value": value, "base_version": base}
        answer = await self.persist(
            "save", "POST", self.plan.save_path.format(qn), account.session, form, True
        )
        if answer is None:
            self.unacknowledged += 1
            return
        status, _headers, payload = answer
        try:
            data = json.loads(payload)
        except ValueError:
            data = {}
        if status == 200 and data.get("ok") and data.get("value") == value:
            state["versions"][question] = data["version"]
            state["values"][question] = value
            self.acks.append((self.window, qn, question, data["version"], float(value)))
        elif status == 409 and data.get("conflict"):  # counted as unexpected in the figures
            state["versions"][question] = data["conflict"]["version"]
        elif status == 200:
            self.odd_saves += 1

    async def new_questionnaire(self, account: Account, group: int) -> int | None:
        form = {"group": group, "label": "uji chaos", "village": "", "filled_on": self.plan.today}
        for _ in range(5):
            answer = await self.persist("new", "POST", account.new, account.session, form)
            if answer is None:
                return None
            match = re.search(r"/kuesioner/(\d+)/$", answer[1].get("location", ""))
            if answer[0] == 302 and match:
                return int(match.group(1))
            await self.pause()
        return None

    async def fill(self, account: Account, qn: int, questions: list, state: dict) -> None:
        """SAVES autosaves: every question first (all are required), then questions at random."""
        order = [*questions, *(self.rng.choice(questions) for _ in range(max(0, SAVES - len(questions))))]
        for question, allowed in order:
            if self.stopping:
                return
            await self.save(account, qn, question, allowed, state)
            await self.pause()

    async def complete(self, account: Account, qn: int) -> None:
        answer = await self.persist(
            "complete", "POST", self.plan.complete_path.format(qn), account.session, {}
        )
        if answer and answer[0] == 302 and "cek=1" not in answer[1].get("location", ""):
            self.completed.append(qn)

    async def page(self, account: Account) -> None:
        await self.persist("page", "GET", account.page, account.session)

    async def user(self) -> None:
        while not self.stopping:
            if not self.accounts:
                self.exhausted += 1
                break
            account = self.accounts.popleft()
            qn, state, questions = None, {}, []
            for group, quota, questions in self.plan.groups:
                for _ in range(quota):
                    qn = await self.new_questionnaire(account, group)
                    if qn is None:
                        break
                    state = {"versions": {}, "values": {}}
                    await self.fill(account, qn, questions, state)
                    if self.stopping:
                        return
                    await self.complete(account, qn)
                    await self.page(account)
                    await self.pause()
                if qn is None:
                    break
            if qn is None:
                if not self.stopping:
                    self.abandoned += 1
                continue
            # Quotas met: submit once submits are let through, saving meanwhile on the last questionnaire.
            while not self.gate.is_set() and not self.stopping:
                question, allowed = self.rng.choice(questions)
                await self.save(account, qn, question, allowed, state)
                await self.pause()
            if self.stopping:
                return
            answer = await self.persist("submit", "POST", account.submit, account.session, {})
            if answer and answer[0] == 302:
                self.submitted.append(account.collection)
            await self.page(account)
        # No account left: read the last collection page now and then until the end.
        while not self.stopping and self.plan.accounts:
            await self.page(self.plan.accounts[-1])
            await asyncio.sleep(2)

    async def main(self) -> None:
        await asyncio.gather(*(self.user() for _ in range(VUS)))

    def start(self) -> None:
        self.thread = threading.Thread(target=asyncio.run, args=(self.main(),), name="load", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping = True
        self.gate.set()
        if self.thread is not None:
            self.thread.join(timeout=REQUEST_TIMEOUT + 120)


# --- faults, checks, figures --------------------------------------------------------------------------

EXPECTED = {"save": 200, "new": 302, "complete": 302, "submit": 302, "page": 200}


@dataclass
class Window:
    name: str
    label: str
    score_seconds: float | None = None  # after the recovery; None: still wrong at the bound
    still_wrong: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)


class Chaos:
    def __init__(self):
        self.svc = Services()
        self.plan: Plan | None = None
        self.load: Load | None = None
        self.windows: dict[str, Window] = {}
        self.pg_outage: tuple[float, float] | None = None  # (stopped, back) in seconds since the start
        self.reasons: list[str] = []
        self.worker_log = 1
        self.final_lost = 0
        self.current = "setup"  # the window's label, for what the supervisor reports
        self.expected_down: set[str] = set()  # stopped on purpose (the worker during fault (b))
        self.down_since: dict[str, float] = {}

    # helpers

    def db(self, fn):
        """Run a query, again after a dropped connection (PostgreSQL restarted under us)."""
        from django.db import InterfaceError, OperationalError, connection

        give_up = time.monotonic() + HANG
        while True:
            try:
                return fn()
            except (OperationalError, InterfaceError):
                connection.close()
                if time.monotonic() > give_up:
                    raise
                time.sleep(1)

    def idle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(min(0.5, max(0.0, end - time.monotonic())))
            reap()
            self.supervise()

    def supervise(self) -> None:
        """What systemd does in production (deploy/kotan-*.service: Restart=always for the worker and the
        beat, on-failure for the web, 5 s later): a service that exited by itself is started again after
        RESTART_SEC, so the later faults still run. Every such exit is a failure of the run."""
        if self.load is None:
            return
        for name in ("gunicorn", "worker", "beat"):
            if name in self.expected_down or self.svc.alive(name):
                continue
            if name not in self.down_since:
                self.down_since[name] = time.monotonic()
                log(f"{name} (pid {self.svc.pid(name)}) exited by itself; started again in {RESTART_SEC:g} s")
                logfile = f"worker-{self.worker_log}.log" if name == "worker" else f"{name}.log"
                for line in self.why(logfile):
                    print(f"{'':10}{logfile}: {line}")
                self.reasons.append(f"{name} exited by itself during {self.current}")
            elif time.monotonic() - self.down_since[name] >= RESTART_SEC:
                self.svc.run("kill", name)  # forget the pid (and any pool process it left)
                if name == "worker":
                    self.worker_log += 1
                    self.svc.run("worker-start", str(self.worker_log))
                else:
                    self.svc.run(f"{name}-start")
                del self.down_since[name]
                log(f"{name} started again (pid {self.svc.pid(name)})")

    def manage(self, *args: str) -> None:
        with open(CHAOS_DIR / "logs" / "setup.log", "a") as out:
            command([sys.executable, "manage.py", *args], check=True, cwd=ROOT, stdout=out, stderr=out)

    def period(self):
        from assessments.models import Period

        return Period.objects.select_related("instrument__band_scheme").get(pk=self.plan.period)

    # the run

    def start(self) -> None:
        log("starting the private PostgreSQL and Redis")
        self.svc.run("pg-start")
        server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        command(["psql", f"{server}/postgres", "-q", "-c", "CREATE DATABASE kotan_chaos"], check=True)
        self.svc.run("redis-start")
        log("migrate, load_regions")
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("load_regions", "-v", "0")
        import django

        django.setup()
        self.plan = setup_data()
        self.svc.run("gunicorn-start")
        self.svc.run("worker-start", "1")
        self.svc.run("beat-start")
        waited = wait_for("gunicorn answering /healthz", lambda: http_ok("/healthz"))
        waited = max(waited, wait_for("the Celery worker ready", lambda: worker_ready(1)))
        pid = self.svc.pid
        log(
            f"gunicorn (pid {pid('gunicorn')}, 2 workers), Celery worker (pid {pid('worker')}, concurrency "
            f"2) and beat (pid {pid('beat')}) up after {waited:.0f} s"
        )

    def run(self) -> int:
        self.start()
        self.load = Load(self.plan)
        self.load.start()
        log(
            f"load: {VUS} BNNK users autosaving (~{THINK:g} s apart, {SAVES} saves per questionnaire), "
            "completing questionnaires and submitting"
        )
        self.window("baseline", "baseline (no fault)")
        self.idle(BASELINE)
        self.settle("baseline", time.monotonic())
        self.fault_redis()
        self.fault_worker()
        self.fault_postgres()
        log("stopping the load")
        self.load.stop()
        self.final_checks()
        return self.figures()

    @staticmethod
    def why(logfile: str) -> list[str]:
        """The lines of a log that say why its service ended: critical errors, the last exception."""
        try:
            lines = (CHAOS_DIR / "logs" / logfile).read_text(errors="replace").splitlines()
        except OSError:
            return []
        picked = [line for line in lines if "CRITICAL" in line or "Unrecoverable" in line][:3]
        last = [line for line in lines if re.match(r"^\w+(\.\w+)*(Error|Exception)\b", line)][-1:]
        return [line[:200] for line in picked + last]

    def window(self, name: str, label: str) -> Window:
        self.windows[name] = Window(name, label)
        self.load.window = name
        self.current = label
        return self.windows[name]

    def settle(self, name: str, recovered: float, last: bool = False) -> None:
        """Hold submits, time the scores back to the engine's values, look up the window's saves."""
        window = self.windows[name]
        self.load.gate.clear()
        seconds, wrong = self.converge(recovered)
        window.score_seconds, window.still_wrong = seconds, wrong
        if wrong < 0:
            log(f"{window.label}: scores not checked (scoring.services.score_mismatches is missing)")
        elif seconds is None:
            log(f"{window.label}: {wrong} score(s) not the engine's value {SCORE_BOUND:g} s after recovery")
        else:
            goal = "goal met" if seconds <= SCORE_GOAL else f"over the {SCORE_GOAL:g} s goal"
            after = "submits were held" if name == "baseline" else "recovery"
            log(f"{window.label}: every score is the engine's value {seconds:.1f} s after {after} ({goal})")
        self.idle(AFTER - (time.monotonic() - recovered))  # users keep saving on the recovered services
        window.lost = self.verify_window(name)
        log(
            f"{window.label}: {sum(1 for a in self.load.acks if a[0] == name)} saves acknowledged in this "
            f"window, {window.lost} of them missing from the answer history"
        )
        if not last:
            self.load.gate.set()

    def converge(self, recovered: float) -> tuple[float | None, int]:
        from scoring import services

        if not hasattr(services, "score_mismatches"):
            self.reasons.append("scoring.services.score_mismatches is missing: scores not checked")
            return None, -1
        while True:
            wrong = self.db(lambda: services.score_mismatches(self.period()))
            elapsed = time.monotonic() - recovered
            if not wrong:
                return max(0.0, elapsed), 0
            if elapsed > SCORE_BOUND:
                return None, len(wrong)
            self.idle(POLL)

    def verify_window(self, name: str) -> int:
        """How many saves acknowledged in the window so far are missing from the answer history."""
        from assessments.models import Answer

        acks = [a[1:] for a in list(self.load.acks) if a[0] == name]
        ids = {a[0] for a in acks}

        def history():
            return set(
                Answer.history.filter(questionnaire_id__in=ids).values_list(
                    "questionnaire_id", "question_id", "version", "value"
                )
            )

        found = self.db(history) if ids else set()
        missing = [a for a in acks if a not in found]
        for qn, q, version, value in missing[:5]:
            log(f"  lost: questionnaire {qn} question {q} version {version} value {value:g}")
        return len(missing)

    def fault_redis(self) -> None:
        self.window("a", f"(a) Redis down {REDIS_DOWN:g} s")
        pid = self.svc.pid("redis")
        self.svc.run("kill", "redis", "KILL")
        log(f"(a) redis-server killed with -9 (pid {pid}); starting it again in {REDIS_DOWN:g} s")
        self.idle(REDIS_DOWN)
        self.svc.run("redis-start")
        log(f"(a) redis-server back (pid {self.svc.pid('redis')}), empty")
        self.settle("a", time.monotonic())

    def move_band_edge(self, delta: int) -> str:
        """What BNN pusat's band edit does: the edge between the two middle bands of the period's scheme
        moves (through the ORM), then the period recompute is queued (one chunk task per province)."""
        from django.db import transaction

        from scoring import tasks

        period = self.db(self.period)
        scheme = period.instrument.band_scheme
        bands = list(scheme.bands.order_by("order"))
        low, high = bands[len(bands) // 2 - 1], bands[len(bands) // 2]
        old = low.upper
        with transaction.atomic():
            low.upper += Decimal(delta)
            high.lower += Decimal(delta)
            low.save(update_fields=["upper"])
            high.save(update_fields=["lower"])
        tasks.recompute_period.delay(period.pk)
        return (
            f"band edge {old} -> {low.upper} between '{low.label}' and '{high.label}' of scheme "
            f"{scheme.code}; reports.recompute_period queued"
        )

    def fault_worker(self) -> None:
        from django.utils import timezone

        from scoring.models import Score

        window = self.window("b", "(b) worker -9 mid-recompute")
        period = self.db(self.period)
        scored = set(
            self.db(
                lambda: list(
                    Score.objects.filter(collection__period=period, basis=Score.Basis.CURRENT).values_list(
                        "collection_id", flat=True
                    )
                )
            )
        )
        edited_at = timezone.now()
        log(f"(b) {self.move_band_edge(5)} ({len(scored)} scored collections)")

        def rescored() -> int:
            return Score.objects.filter(
                collection_id__in=scored, basis=Score.Basis.CURRENT, computed_at__gte=edited_at
            ).count()

        started, n = time.monotonic(), 0
        while time.monotonic() - started < HANG:
            n = self.db(rescored)
            if n:
                break
            time.sleep(0.05)
            self.supervise()
        if n == 0:
            window.notes.append(f"no score rescored {HANG:g} s after the edit: the worker was killed anyway")
        elif n >= len(scored):
            window.notes.append(
                "the recompute had stored every score before the kill (it did not land mid-way)"
            )
        main = self.svc.pid("worker")
        pool = [str(pid) for pid in children(main)] if main else []
        self.expected_down.add("worker")
        self.svc.run("kill", "worker", "KILL")
        log(
            f"(b) worker killed with -9 (main {main}, pool {' '.join(pool)}) with {n} of {len(scored)} "
            f"scores rescored, {time.monotonic() - started:.1f} s after the recompute was queued"
        )
        self.idle(WORKER_DOWN)
        self.worker_log += 1
        self.svc.run("worker-start", str(self.worker_log))
        self.expected_down.discard("worker")
        wait_for("the new Celery worker ready", lambda: worker_ready(self.worker_log))
        log(f"(b) new worker ready (pid {self.svc.pid('worker')})")
        self.settle("b", time.monotonic())

    def fault_postgres(self) -> None:
        from django.db import connection

        self.window("c", f"(c) PostgreSQL down {PG_DOWN:g} s")
        # Score work in flight when the database goes away: (b)'s band edit undone, its recompute queued.
        log(f"(c) {self.move_band_edge(-5)}; stopping PostgreSQL at once")
        connection.close()
        stopped = time.monotonic()
        self.svc.run("pg-stop", "fast")
        log(
            f"(c) PostgreSQL stopped (pg_ctl stop -m fast, {time.monotonic() - stopped:.1f} s); "
            f"starting it again in {PG_DOWN:g} s"
        )
        self.idle(PG_DOWN)
        self.svc.run("pg-start")
        back = time.monotonic()
        self.pg_outage = (stopped - T0, back - T0)
        log(f"(c) PostgreSQL accepting connections again (pid {self.svc.pid('postgres')})")
        self.settle("c", back, last=True)

    def final_checks(self) -> None:
        from assessments.models import Collection, Questionnaire

        load_ = self.load
        print(flush=True)
        log("checking every acknowledged save, complete and submit in the database")
        self.final_lost = load.verify([a[1:] for a in load_.acks])
        for name, window in self.windows.items():  # again, now with every save the window acknowledged
            window.lost = max(window.lost, self.verify_window(name))
        not_complete = self.db(
            lambda: (
                Questionnaire.objects.filter(pk__in=load_.completed)
                .exclude(state=Questionnaire.State.COMPLETE)
                .count()
            )
        )
        not_submitted = self.db(
            lambda: (
                Collection.objects.filter(pk__in=load_.submitted)
                .exclude(state=Collection.State.SUBMITTED)
                .count()
            )
        )
        print(
            f"questionnaires taken as complete: {len(load_.completed)}, not complete in the database: "
            f"{not_complete}; collections taken as submitted: {len(load_.submitted)}, not submitted: "
            f"{not_submitted}"
        )
        if self.final_lost:
            self.reasons.append(f"{self.final_lost} acknowledged save(s) lost or not the stored answer")
        if not_complete:
            self.reasons.append(f"{not_complete} questionnaire(s) taken as complete are not complete")
        if not_submitted:
            self.reasons.append(f"{not_submitted} collection(s) taken as submitted are not submitted")
        if load_.unacknowledged:
            print(f"saves never acknowledged when the load stopped: {load_.unacknowledged}")
        if load_.odd_saves:
            self.reasons.append(f"{load_.odd_saves} save(s) answered ok with another value than the one sent")
        if load_.abandoned:
            self.reasons.append(f"{load_.abandoned} account(s) abandoned: no questionnaire could be created")
        if load_.exhausted:
            print(f"{load_.exhausted} user(s) ran out of BNNK accounts and only read pages (CHAOS_DRAFTS)")

    def allowed_503(self, record: Record) -> bool:
        if record.window != "c" or self.pg_outage is None:
            return False
        return self.pg_outage[0] <= record.done <= self.pg_outage[1] + PG_GRACE

    def figures(self) -> int:
        head = "{:28} {:>8} {:>5} {:>5} {:>5} {:>6} {:>7} {:>5}  {}"
        print()
        print(
            head.format(
                "fault",
                "requests",
                "5xx",
                "503",
                "500",
                "other",
                "acked",
                "lost",
                "scores = engine after recovery",
            )
        )
        totals = Counter()
        for name, window in self.windows.items():
            records = [r for r in self.load.records if r.window == name]
            status = Counter(r.status for r in records)
            fivexx = sum(n for s, n in status.items() if s >= 500)
            bad_503 = sum(1 for r in records if r.status == 503 and not self.allowed_503(r))
            other_5xx = fivexx - status[503] - status[500]
            connection_errors = status[0]
            unexpected = Counter(
                (r.kind, r.status) for r in records if 0 < r.status < 500 and r.status != EXPECTED[r.kind]
            )
            other = connection_errors + sum(unexpected.values())
            acked = sum(1 for a in self.load.acks if a[0] == name)
            if window.still_wrong < 0:
                scores = "not checked"
            elif window.score_seconds is None:
                scores = f"still {window.still_wrong} wrong after {SCORE_BOUND:g} s"
            else:
                goal = "" if window.score_seconds <= SCORE_GOAL else f" (over the {SCORE_GOAL:g} s goal)"
                scores = f"{window.score_seconds:.1f} s{goal}"
            print(
                head.format(
                    window.label,
                    len(records),
                    fivexx,
                    status[503],
                    status[500],
                    other,
                    acked,
                    window.lost,
                    scores,
                )
            )
            detail = ", ".join(f"{s or 'no answer'} x{n}" for s, n in sorted(status.items()))
            print(f"{'':4}answers: {detail}")
            for (kind, s), n in sorted(unexpected.items()):
                print(f"{'':4}unexpected: {kind} answered {s} x{n}")
            for note in window.notes:
                print(f"{'':4}note: {note}")
            totals.update(requests=len(records), fivexx=fivexx, acked=acked, lost=window.lost)
            if status[500]:
                self.reasons.append(f"{status[500]} x 500 during {window.label}")
            if other_5xx:
                self.reasons.append(f"{other_5xx} x other 5xx during {window.label}")
            if bad_503:
                where = "outside the PostgreSQL outage" if name == "c" else f"during {window.label}"
                self.reasons.append(f"{bad_503} x 503 {where}")
            if connection_errors:
                self.reasons.append(f"{connection_errors} request(s) without an answer during {window.label}")
            if unexpected:
                self.reasons.append(f"{sum(unexpected.values())} unexpected answer(s) during {window.label}")
            if window.lost:
                self.reasons.append(f"{window.lost} acknowledged save(s) lost during {window.label}")
            if window.score_seconds is None and window.still_wrong >= 0:
                self.reasons.append(f"scores still wrong {SCORE_BOUND:g} s after {window.label}")
        print(
            f"{'total':28} {totals['requests']:>8} {totals['fivexx']:>5} {'':>5} {'':>5} {'':>6} "
            f"{totals['acked']:>7} {self.final_lost:>5}  (lost: final check of all acknowledged saves)"
        )
        if self.pg_outage:
            print(
                f"503 allowed from {self.pg_outage[0]:.1f} s (PostgreSQL stopped) to "
                f"{self.pg_outage[1] + PG_GRACE:.1f} s ({PG_GRACE:g} s after it was back)"
            )
        print()
        reasons = list(dict.fromkeys(self.reasons))
        if reasons:
            print(f"chaos: FAILED ({'; '.join(reasons)})")
            return 1
        print("chaos: passed")
        return 0

    def shutdown(self) -> None:
        if self.load is not None and not self.load.stopping:
            self.load.stop()
        with contextlib.suppress(Exception):
            from django.db import connection

            connection.close()
        try:
            self.svc.run("stop-all")
        except subprocess.CalledProcessError as exc:
            log(f"stopping the services failed ({exc}); chaos.sh tries again on exit")
        # What is left is ours too (a pool process whose main process died was handed to this subreaper).
        for sig in (signal.SIGTERM, signal.SIGKILL):
            end = time.monotonic() + 20
            while children() and time.monotonic() < end:
                reap()
                time.sleep(0.2)
            for pid in children():
                with contextlib.suppress(OSError):
                    what = Path(f"/proc/{pid}/cmdline").read_bytes()[:80].replace(b"\0", b" ").decode()
                    log(f"stopping pid {pid}, left behind by a service: {what}")
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)
        reap()


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not CHAOS_DIR.is_dir() or not WEB_PORT:
        sys.exit("chaos.py runs under .ci/chaos.sh (make chaos)")
    become_subreaper()
    chaos = Chaos()
    try:
        return chaos.run()
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        chaos.shutdown()


if __name__ == "__main__":
    sys.exit(main())
