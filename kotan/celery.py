"""The Celery app: configured from Django settings (CELERY_* names), with the worker's heartbeat step and the
ping task the CI smoke test sends to prove a worker answers."""

import os
from concurrent.futures import Future, ThreadPoolExecutor

from celery import Celery, bootsteps
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

app = Celery("kotan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="kotan.ping", ignore_result=False)  # the only task whose result is read (CI)
def ping() -> str:
    return "pong"


class Heartbeat(bootsteps.StartStopStep):
    """Records Heartbeat "worker:<hostname>" at start and every HEARTBEAT_SECONDS (default 30) from the
    worker's main process, for /readyz: a worker whose heartbeat is older than 3 intervals is gone or
    stuck. The detail holds the main process's pid and the number of tasks it has handed to its pool.

    The timer runs in the main process's event loop, which also takes messages from the broker; the
    database write is done in one helper thread, so that a database that hangs (a host gone from the
    network, no answer until TCP gives up) cannot stall the worker. A beat is skipped while the previous
    one is still waiting.
    """

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None
        self.executor: ThreadPoolExecutor | None = None
        self.pending: Future | None = None

    def start(self, worker):

        seconds = settings.HEARTBEAT_SECONDS
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heartbeat")
        self.beat(worker)
        self.tref = worker.timer.call_repeatedly(seconds, self.beat, (worker,), priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None

    def beat(self, worker) -> None:
        if self.executor is None or (self.pending is not None and not self.pending.done()):
            return
        # Imported here: celery.worker loads the worker's machinery, which the web processes (they import
        # this module for the app) never need.
        from celery.worker import state

        detail = {"pid": os.getpid(), "active": len(state.active_requests)}
        self.pending = self.executor.submit(record_worker_heartbeat, f"worker:{worker.hostname}", detail)


def record_worker_heartbeat(name: str, detail: dict) -> None:
    """One heartbeat from the helper thread, which keeps its own database connection between beats."""
    # Imported here, not at the top: this module is imported by kotan/__init__.py before django.setup(),
    # and models cannot be imported until the app registry is ready (the worker sets it up on start).
    from django.db import connection

    from scoring import heartbeats

    # Outside a request nothing closes a broken or expired connection (Django does it on request
    # start/end, Celery around each task in the pool's processes): drop it here, so that a beat after a
    # database restart connects afresh. Never inside a transaction (tests call this in one).
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
    heartbeats.record(name, detail)


app.steps["worker"].add(Heartbeat)
