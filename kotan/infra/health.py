"""Project-level views that belong to no app: the health check (/healthz) and the readiness check
(/readyz)."""

import contextlib
import time

import redis
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.backoff import NoBackoff
from redis.retry import Retry

from scoring import heartbeats


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """ "ok" when this process serves Django: no login, no database, no template.

    For a load balancer or monitor (deploy/) and as the bare-view baseline of bench/load.py. It does not
    touch the database on purpose: a slow database must not take every web process out of rotation.
    """
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


# --- /readyz -------------------------------------------------------------------------------------------

DATABASE_TIMEOUT_MS = 2000  # statement_timeout of the readiness SELECT 1 (PostgreSQL)
REDIS_TIMEOUT_SECONDS = 0.5  # connect and read timeout of the PING: a dead Redis answers fast


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def check_database() -> dict:
    """SELECT 1 on the default database, with a statement timeout on PostgreSQL."""
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {DATABASE_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"status": "error", "error": _error(exc), "latency_ms": _ms(started)}
    return {"status": "ok", "latency_ms": _ms(started)}


def redis_urls() -> dict[str, str]:
    """The Redis servers this site uses, by role: "cache" (CACHES default) and "broker" (Celery)."""
    urls = {}
    location = settings.CACHES.get("default", {}).get("LOCATION", "")
    if isinstance(location, (list, tuple)):
        location = location[0] if location else ""
    if isinstance(location, str) and location.startswith(("redis://", "rediss://", "unix://")):
        urls["cache"] = location
    broker = settings.CELERY_BROKER_URL or ""
    if isinstance(broker, str) and broker.startswith(("redis://", "rediss://")):
        urls["broker"] = broker
    return urls


def check_redis(url: str, timeout: float = REDIS_TIMEOUT_SECONDS) -> dict:
    """PING on a fresh connection with short timeouts (not the cache's own client: its pool and retry
    settings are for serving pages, not for telling fast whether Redis is there)."""

    started = time.perf_counter()
    client = None
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        client.ping()
    except Exception as exc:
        return {"status": "error", "error": _error(exc), "latency_ms": _ms(started)}
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
    return {"status": "ok", "latency_ms": _ms(started)}


def _error(exc: Exception) -> str:
    text = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text}"[:300]


def sweep_interval_seconds() -> int:
    return int(settings.SCORE_SWEEP_SECONDS)


def check_background(beats: list[dict]) -> tuple[dict, dict]:
    """The workers' and the sweep's heartbeats, judged against their intervals. Not used when tasks run
    eagerly in the web process (development, the tests): there are no workers and no beat then."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        unused = {"status": "not used", "note": "tasks run eagerly in the web process"}
        return {**unused, "items": []}, unused
    heartbeat_seconds = settings.HEARTBEAT_SECONDS
    worker_max = 3 * heartbeat_seconds
    items = [
        {**beat, "fresh": beat["age_seconds"] <= worker_max}
        for beat in beats
        if beat["name"].startswith("worker:")
    ]
    workers = {
        "status": "ok" if any(item["fresh"] for item in items) else "missing",
        "max_age_seconds": worker_max,
        "items": items,
    }
    sweep_max = 2 * sweep_interval_seconds() + 60
    last = next((beat for beat in beats if beat["name"] == "sweep"), None)
    sweep = {"max_age_seconds": sweep_max}
    if last is None:
        sweep["status"] = "missing"
    else:
        sweep.update(status="ok" if last["age_seconds"] <= sweep_max else "stale", **last)
    return workers, sweep


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness, for a load balancer and monitoring: no login, never cached, JSON.

    503 when PostgreSQL does not answer (this process cannot serve); otherwise 200 with "status" "ok" or
    "degraded" and "problems" saying what is wrong (Redis down, no worker heartbeat within
    3 × HEARTBEAT_SECONDS, no score sweep within 2 × its interval + 60 s). Each check has its own
    timeout and its own try/except: this view answers even when everything behind it is broken.
    /healthz stays the cheap liveness check.
    """
    checks: dict = {"database": check_database()}
    problems: list[str] = []
    if checks["database"]["status"] != "ok":
        problems.append("database unreachable")

    urls = redis_urls()
    if not urls:
        checks["redis"] = {"status": "not configured"}
    else:
        results: dict[str, dict] = {}
        for role, url in urls.items():
            same = next(
                (results[other] for other, seen in urls.items() if seen == url and other in results), None
            )
            results[role] = same or check_redis(url)
        failed = [role for role, result in results.items() if result["status"] != "ok"]
        checks["redis"] = {"status": "error" if failed else "ok", **results}
        problems += [f"redis ({role}) unreachable" for role in failed]

    if checks["database"]["status"] == "ok":
        try:
            checks["workers"], checks["sweep"] = check_background(heartbeats.read())
        except Exception as exc:
            checks["workers"] = checks["sweep"] = {"status": "unknown", "error": _error(exc)}
            problems.append("heartbeats unreadable")
    else:
        checks["workers"] = checks["sweep"] = {"status": "unknown"}
    if checks["workers"]["status"] == "missing":
        problems.append(f"no worker heartbeat within {checks['workers']['max_age_seconds']} s")
    if checks["sweep"]["status"] in ("missing", "stale"):
        problems.append(f"no score sweep within {checks['sweep']['max_age_seconds']} s")

    if checks["database"]["status"] != "ok":
        status, http_status = "unavailable", 503
    else:
        status, http_status = ("degraded" if problems else "ok"), 200
    response = JsonResponse({"status": status, "problems": problems, "checks": checks}, status=http_status)
    if http_status == 503:
        response["Retry-After"] = "5"
        # For kotan.infra.logging.DatabaseUnavailableFilter: counted in its line a minute, not a line a poll.
        request.database_unavailable = checks["database"].get("error") or "database unreachable"
    return response
