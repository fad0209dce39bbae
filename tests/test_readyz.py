"""/readyz: JSON for a load balancer and monitoring, no login, never cached; 503 when the database does not
answer, else 200 "ok" or "degraded" with what is wrong (Redis, the workers' heartbeats, the score sweep)."""

from __future__ import annotations

import datetime
import time
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.utils import timezone

from kotan.infra.health import check_redis
from scoring.models import Heartbeat

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _no_redis_no_eager(settings):
    """A site with workers and a beat (not eager), whose Redis is not configured unless a test says so."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEARTBEAT_SECONDS = 30
    settings.SCORE_SWEEP_SECONDS = 300


def beat(name: str, seconds_ago: float, **detail) -> None:
    Heartbeat.objects.create(
        name=name, at=timezone.now() - datetime.timedelta(seconds=seconds_ago), detail=detail
    )


def get(client=None):
    return (client or Client(raise_request_exception=False)).get("/readyz")


def test_all_well_is_ok_with_every_check():
    beat("worker:celery@web1", 10, pid=123, active=2)
    beat("sweep", 100, scored=0)
    response = get()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "ok" and data["problems"] == []
    checks = data["checks"]
    assert checks["database"]["status"] == "ok" and checks["database"]["latency_ms"] >= 0
    assert checks["redis"] == {"status": "not configured"}
    (worker,) = checks["workers"]["items"]
    assert worker["name"] == "worker:celery@web1" and worker["fresh"] is True
    assert 9 <= worker["age_seconds"] < 60 and worker["detail"] == {"pid": 123, "active": 2}
    assert checks["workers"]["status"] == "ok" and checks["workers"]["max_age_seconds"] == 90
    assert checks["sweep"]["status"] == "ok" and checks["sweep"]["max_age_seconds"] == 660
    assert 99 <= checks["sweep"]["age_seconds"] < 160


def test_no_login_needed_and_only_get_or_head(client_for, bnnk_a):
    assert get(client_for(bnnk_a)).status_code == 200
    assert Client().head("/readyz").status_code == 200
    assert Client().post("/readyz").status_code == 405


def test_without_workers_or_sweep_it_is_degraded_but_200():
    response = get()
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "degraded"
    assert data["problems"] == ["no worker heartbeat within 90 s", "no score sweep within 660 s"]
    assert data["checks"]["workers"]["status"] == "missing"
    assert data["checks"]["sweep"]["status"] == "missing"


def test_old_heartbeats_are_degraded(settings):
    settings.SCORE_SWEEP_SECONDS = 60  # sweep every minute: stale after 2 x 60 + 60 s
    beat("worker:celery@gone", 91)
    beat("sweep", 181)
    data = get().json()
    assert data["status"] == "degraded"
    assert data["checks"]["workers"]["items"][0]["fresh"] is False
    assert data["checks"]["sweep"]["status"] == "stale"
    assert data["problems"] == ["no worker heartbeat within 90 s", "no score sweep within 180 s"]


def test_one_fresh_worker_is_enough():
    beat("worker:celery@gone", 5000)
    beat("worker:celery@alive", 5)
    beat("sweep", 5)
    assert get().json()["status"] == "ok"


def test_the_sweep_may_be_late_by_two_intervals_and_a_minute(settings):
    settings.SCORE_SWEEP_SECONDS = 600
    assert get().json()["checks"]["sweep"]["max_age_seconds"] == 2 * 600 + 60


def test_eager_tasks_need_no_workers(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    data = get().json()
    assert data["status"] == "ok"
    assert data["checks"]["workers"]["status"] == data["checks"]["sweep"]["status"] == "not used"


def test_database_unreachable_is_503():
    beat("worker:celery@web1", 1)
    with mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("Connection refused")):
        response = get()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    data = response.json()
    assert data["status"] == "unavailable"
    assert data["problems"][0] == "database unreachable"
    assert data["checks"]["database"]["status"] == "error"
    assert "Connection refused" in data["checks"]["database"]["error"]
    assert data["checks"]["workers"] == {"status": "unknown"}


def test_a_dead_redis_answers_fast_as_error():
    started = time.monotonic()
    result = check_redis(DEAD_REDIS)
    assert time.monotonic() - started < 1.5
    assert result["status"] == "error" and result["error"]


def test_a_dead_redis_makes_it_degraded_not_unavailable(settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    beat("worker:celery@web1", 1)
    beat("sweep", 1)
    started = time.monotonic()
    response = get()
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "degraded"
    assert data["problems"] == ["redis (broker) unreachable"]
    assert data["checks"]["redis"]["status"] == "error"
    assert data["checks"]["redis"]["broker"]["status"] == "error"


def test_cache_and_broker_on_the_same_redis_are_pinged_once(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": DEAD_REDIS}
    }
    settings.CELERY_BROKER_URL = DEAD_REDIS
    with mock.patch(
        "kotan.infra.health.check_redis", return_value={"status": "ok", "latency_ms": 0.1}
    ) as ping:
        data = get().json()
    ping.assert_called_once_with(DEAD_REDIS)
    assert (
        data["checks"]["redis"]["cache"]
        == data["checks"]["redis"]["broker"]
        == {"status": "ok", "latency_ms": 0.1}
    )


def test_heartbeats_that_cannot_be_read_are_reported_not_a_500():
    with mock.patch("scoring.heartbeats.read", side_effect=RuntimeError("kaput")):
        response = get()
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "degraded" and "heartbeats unreadable" in data["problems"]
