"""kotan.cache with Redis down: every call answers as an empty cache, logged-in pages and autosave work (the
sessions come from the database), the outage is logged once per minute, and keys written meanwhile are
invalidated when Redis answers again."""

import logging

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from redis import exceptions as redis_errors

from kotan import cache as kotan_cache
from kotan.cache import Outage, RedisCache

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
    caplog.set_level(logging.WARNING, logger="kotan.cache")
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


@override_settings(CACHES={"default": {"BACKEND": "kotan.cache.RedisCache", "LOCATION": DEAD}})
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
