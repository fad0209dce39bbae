"""kotan.infra.cache with Redis down: every call answers as an empty cache, logged-in pages and autosave work (the
sessions come from the database), the outage is logged once per minute, and keys written meanwhile are
invalidated when Redis answers again."""

import logging

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from redis import exceptions as redis_errors

from kotan.infra import cache as kotan_cache
from kotan.infra.cache import Outage, RedisCache
from tests.test_scores_db import broker_down  # noqa: F401  (fixture)

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once
LIVE = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(LIVE, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_dead_redis_answers_like_an_empty_cache():
    cache = RedisCache(DEAD, {})
    assert cache.get("k", "bawaan") == "bawaan"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.add("k", 1) is True  # work is done rather than skipped
    cache.set("k", 1)
    cache.set_many({"a": 1})
    cache.delete("k")
    cache.delete_many(["a"])
    assert cache.touch("k") is False
    assert cache.get_or_set("g", 7) == 7
    with pytest.raises(ValueError):
        cache.incr("n")
    assert cache.outage.down_since is not None
    assert {cache.make_and_validate_key(k) for k in ("k", "a")} <= cache.outage.missed


def test_after_a_failure_redis_is_not_tried_again_for_a_few_seconds(monkeypatch):
    cache = RedisCache(DEAD, {})
    clock = Clock()
    cache.outage.clock = clock
    tries = []
    real_get = cache._cache.get

    def counting_get(*args):
        tries.append(1)
        return real_get(*args)

    monkeypatch.setattr(cache._cache, "get", counting_get)
    for _ in range(50):
        assert cache.get("k") is None
    assert len(tries) == 1  # one refused connection, then 49 answers without trying
    clock.now += kotan_cache.RETRY_SECONDS
    cache.get("k")
    assert len(tries) == 2


def test_the_outage_is_logged_when_it_starts_once_a_minute_and_when_it_ends(caplog):
    clock = Clock()
    outage = Outage("redis://x", clock=clock)
    caplog.set_level(logging.WARNING, logger="kotan.infra.cache")
    error = redis_errors.ConnectionError("refused")
    for second in range(0, 150):  # 150 s of calls, 10 a second, Redis tried again every 5 s
        clock.now = 1000.0 + second
        for _ in range(10):
            if not outage.skip():
                outage.failed(error)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines  # the start, then after 60 s and 120 s: not 1,500 lines
    assert "unavailable" in lines[0]
    assert "in the last minute" in lines[1]
    assert outage.recovered()[2] == pytest.approx(149.0)
    assert outage.recovered() is None  # only once


@override_settings(CACHES={"default": {"BACKEND": "kotan.infra.cache.RedisCache", "LOCATION": DEAD}})
def test_logged_in_pages_and_autosave_work_with_redis_down(client, bnnk_a, regency_a, caplog):
    from assessments import services
    from tests.factories import group, make_collection, make_period, question

    assert isinstance(caches["default"], RedisCache)
    period = make_period(regencies=[regency_a], year=2031)
    collection = make_collection(regency_a, period)
    questionnaire = services.questionnaire_create(
        collection=collection, group=group(period.instrument, "keluarga"), user=bnnk_a
    )
    client.force_login(bnnk_a)  # the session is written to the database (the cache write fails)
    assert client.get("/survei/").status_code in (200, 302)
    page = client.get(f"/survei/kuesioner/{questionnaire.pk}/")
    assert page.status_code == 200
    q = question(period.instrument, "q_likert")
    response = client.post(
        f"/survei/kuesioner/{questionnaire.pk}/jawaban/",
        {"question": q.pk, "value": "4", "base_version": 0},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    assert questionnaire.answers.get(question=q).value == 4


@needs_redis
def test_keys_written_during_the_outage_are_invalidated_when_redis_is_back(monkeypatch):
    cache = RedisCache(LIVE, {"KEY_PREFIX": "test-outage"})
    try:
        cache.set("sesi", "lama", 60)  # a session as it was before the outage
        real_set = cache._cache.set

        def refused(*args):
            raise redis_errors.ConnectionError("refused")

        monkeypatch.setattr(cache._cache, "set", refused)
        cache.set("sesi", "baru", 60)  # changed in the database while Redis was away
        assert cache.outage.down_since is not None
        monkeypatch.setattr(cache._cache, "set", real_set)
        cache.outage.retry_at = 0.0
        # The first call after Redis answers again deletes the stale value: the database's is read next.
        assert cache.get("sesi") is None
        assert cache.outage.down_since is None
    finally:
        cache.clear()


@override_settings(CACHES={"default": {"BACKEND": "kotan.infra.cache.RedisCache", "LOCATION": DEAD}})
def test_the_whole_cycle_works_with_redis_down(
    broker_down,  # noqa: F811  the broker refuses connections too (same Redis in production)
    client,
    regency_a,
    bnnk_a,
    bnnp_a,
    pusat,
    django_capture_on_commit_callbacks,
):
    """Login, complete, submit, exclude, return, resubmit, verify and the ranking export, every one with the
    cache and the broker refusing connections: nothing answers 5xx, every transition is stored, and the
    scores the lost tasks would have computed are computed by the sweep once Redis is back."""
    from assessments.models import Collection, Questionnaire
    from scoring import services as score_services
    from scoring import tasks
    from tests.conftest import PASSWORD
    from tests.factories import attach_sk, make_collection, make_period, question
    from tests.test_scores_db import _fill

    period = make_period(regencies=[regency_a], year=2031)
    collection = make_collection(regency_a, period)
    with django_capture_on_commit_callbacks(execute=True):
        made = _fill(collection, bnnk_a)
    attach_sk(collection, question(period.instrument, "q_yesno"))
    base = f"/survei/periode/{period.year}/{regency_a.code}/"

    def login(user):
        client.logout()
        response = client.post("/akun/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.content[:300]

    login(bnnk_a)
    assert client.get(base).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base + "kirim/", follow=True)
    assert response.status_code == 200
    collection.refresh_from_db()
    assert collection.state == Collection.State.SUBMITTED

    login(bnnp_a)
    assert client.get(base + "verifikasi/").status_code == 200
    flat = made[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            base + f"verifikasi/kuesioner/{flat.pk}/kecualikan/", {"alasan": "Ganda"}, follow=True
        )
    assert response.status_code == 200
    assert Questionnaire.objects.get(pk=flat.pk).state == Questionnaire.State.EXCLUDED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base + f"verifikasi/kuesioner/{flat.pk}/sertakan/", follow=True)
    assert Questionnaire.objects.get(pk=flat.pk).state == Questionnaire.State.COMPLETE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            base + "verifikasi/kembalikan/", {"target": ["general"], "text": ["Periksa lagi."]}, follow=True
        )
    assert response.status_code == 200
    collection.refresh_from_db()
    assert collection.state == Collection.State.RETURNED

    login(bnnk_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(base + "kirim/", follow=True).status_code == 200
    collection.refresh_from_db()
    assert collection.state == Collection.State.SUBMITTED

    login(bnnp_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(base + "verifikasi/setujui/", follow=True).status_code == 200
    collection.refresh_from_db()
    assert collection.state == Collection.State.VERIFIED

    login(pusat)
    export = client.get(f"/laporan/{period.year}/peringkat.csv")
    assert export.status_code == 200
    assert regency_a.name in export.content.decode("utf-8-sig")
    assert client.get("/laporan/nasional/").status_code == 200

    # No task reached a worker: Redis is back, the beat sweep computes what they would have.
    assert score_services.score_mismatches(period) == [collection.pk]
    tasks.sweep_scores()
    assert score_services.score_mismatches(period) == []


def test_the_outage_log_names_the_server_without_its_password():
    cache = RedisCache("redis://:rahasia@127.0.0.1:1/0", {})
    assert cache.outage.name == "redis://127.0.0.1:1/0"
