"""Heartbeats of the background services (scoring/heartbeats.py) and the Celery worker's heartbeat step
(kotan/celery.py): an upsert with the time now that never raises, recorded at the worker's start and
every HEARTBEAT_SECONDS."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import OperationalError, transaction

from kotan import celery as kotan_celery
from scoring import heartbeats
from scoring.models import Heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_outage_left_over():
    heartbeats._failing.clear()
    yield
    heartbeats._failing.clear()


def test_record_creates_then_updates_one_row():
    heartbeats.record("sweep", {"scored": 3})
    first = Heartbeat.objects.get(name="sweep")
    heartbeats.record("sweep")
    second = Heartbeat.objects.get(name="sweep")
    assert Heartbeat.objects.count() == 1
    assert second.at >= first.at and second.detail == {}
    assert first.detail == {"scored": 3}


def test_read_lists_name_age_and_detail():
    heartbeats.record("worker:celery@b", {"pid": 2})
    heartbeats.record("sweep")
    beats = heartbeats.read()
    assert [b["name"] for b in beats] == ["sweep", "worker:celery@b"]
    assert beats[1]["detail"] == {"pid": 2} and 0 <= beats[1]["age_seconds"] < 5 and beats[1]["at"]


def test_record_swallows_a_database_that_is_down_and_logs_it_once(caplog):
    down = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    with (
        caplog.at_level(logging.WARNING, logger="scoring.heartbeats"),
        mock.patch.object(Heartbeat.objects, "bulk_create", side_effect=down),
    ):
        heartbeats.record("sweep")
        heartbeats.record("sweep")
    (line,) = caplog.records
    assert line.getMessage().startswith("heartbeat sweep not recorded (OperationalError: connection to")
    heartbeats.record("sweep")  # the database is back: recorded, and said so once
    assert Heartbeat.objects.filter(name="sweep").exists()
    assert caplog.records[-1].getMessage() == "heartbeat sweep recorded again"


def test_a_failed_record_leaves_the_callers_transaction_usable():
    with transaction.atomic():
        with mock.patch.object(Heartbeat.objects, "bulk_create", side_effect=OperationalError("x")):
            heartbeats.record("sweep")
        heartbeats.record("worker:celery@a")
    assert Heartbeat.objects.filter(name="worker:celery@a").exists()


class SyncExecutor:
    """Runs the submitted call at once (the step's helper thread would use a connection of its own,
    outside the test's transaction)."""

    def __init__(self, *args, **kwargs):
        self.shut = False

    def submit(self, fn, *args):
        future = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, **kwargs):
        self.shut = True


def fake_worker():
    return SimpleNamespace(hostname="celery@kotan-worker-1", timer=mock.Mock())


def test_the_step_is_registered_with_the_worker():
    assert kotan_celery.Heartbeat in kotan_celery.app.steps["worker"]
    assert "celery.worker.components:Timer" in kotan_celery.Heartbeat.requires


def test_the_step_records_at_start_and_then_on_the_timer(settings):
    settings.HEARTBEAT_SECONDS = 7
    worker = fake_worker()
    step = kotan_celery.Heartbeat(worker)
    with mock.patch.object(kotan_celery, "ThreadPoolExecutor", SyncExecutor):
        step.start(worker)
    row = Heartbeat.objects.get(name="worker:celery@kotan-worker-1")
    assert set(row.detail) == {"pid", "active"} and row.detail["active"] == 0
    worker.timer.call_repeatedly.assert_called_once_with(7, step.beat, (worker,), priority=10)

    first = row.at
    step.beat(worker)  # what the timer calls
    assert Heartbeat.objects.get(name="worker:celery@kotan-worker-1").at > first

    tref = worker.timer.call_repeatedly.return_value
    executor = step.executor
    step.stop(worker)
    tref.cancel.assert_called_once_with()
    assert executor.shut and step.executor is None
    step.beat(worker)  # after stop: nothing, no error


def test_a_beat_is_skipped_while_the_previous_one_still_waits():
    worker = fake_worker()
    step = kotan_celery.Heartbeat(worker)
    step.executor = mock.Mock()
    step.pending = Future()  # not done: the database hangs
    step.beat(worker)
    step.executor.submit.assert_not_called()


def test_the_callback_survives_a_database_that_is_down():
    with mock.patch.object(Heartbeat.objects, "bulk_create", side_effect=OperationalError("down")):
        kotan_celery.record_worker_heartbeat("worker:celery@x", {"pid": 1, "active": 0})
    assert not Heartbeat.objects.exists()
