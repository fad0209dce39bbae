"""Django's Redis cache made an accelerator that may fail: one redis client per pool, and a Redis that is down
answers as an empty cache (a miss, a write that did nothing) instead of an exception.

Why one client per pool: Django's RedisCacheClient builds a new redis.Redis for every cache call, and
redis-py's constructor fills a table of about 170 response callbacks, which cost more CPU than the GET itself
on the call every logged-in request makes (the session, SESSION_ENGINE cached_db). A redis.Redis is safe to
share between threads (each command takes a connection from the pool) and its pool reconnects after a fork.

Why degrade: sessions (cached_db), the score debounce keys and the report card's engine cache all live here,
and the database holds the truth for each of them. With Redis down, a read is a miss (cached_db then reads
the session from the database), a write is skipped, `add` says "added" (so work is done rather than
skipped; every task is idempotent). After a failure the cache is not tried again for RETRY_SECONDS, so an
outage costs one refused connection per process every few seconds, not one per call. The outage is logged
when it starts, once a minute while it lasts (with the number of calls answered without Redis) and when it
ends.

A write that failed during the outage may have left an older value in Redis (a session that was changed or
deleted meanwhile). Each process remembers those keys (up to MAX_MISSED) and deletes them as soon as Redis
answers again, before anything else, so the database's value is read next.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from django.core.cache.backends import redis as django_redis
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

# What a Redis outage raises (refused or reset connection, timeout, a Redis still loading its data).
UNAVAILABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)
RETRY_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0
MAX_MISSED = 50_000
# A dead or unreachable Redis must not hold a request: connect and read timeouts (seconds), unless the
# cache's OPTIONS say otherwise.
DEFAULT_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0}


def _without_password(url: str) -> str:
    """The server's URL for the log, without the password it may carry."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class Outage:
    """One process's view of the cache's health: when to try Redis again, what to log, what to repair."""

    def __init__(self, name: str, clock=time.monotonic):
        self.name = name
        self.clock = clock
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.logged_at = 0.0
        self.calls = 0  # answered without Redis since the last log line
        self.missed: set[str] = set()  # keys whose write failed: stale in Redis until deleted
        self.overflowed = False

    def skip(self) -> bool:
        """True while Redis is known to be down and not due for another try (counted as a call)."""
        with self.lock:
            if self.down_since is None or self.clock() >= self.retry_at:
                return False
            self.calls += 1
            self._log_if_due()
            return True

    def failed(self, exc: BaseException, keys=()) -> None:
        with self.lock:
            now = self.clock()
            self.calls += 1
            self.retry_at = now + RETRY_SECONDS
            self._remember(keys)
            if self.down_since is None:
                self.down_since = self.logged_at = now
                self.calls = 0
                logger.warning(
                    "cache %s unavailable (%s: %s); serving without it until it answers again",
                    self.name,
                    type(exc).__name__,
                    exc,
                )
            else:
                self._log_if_due()

    def skipped_write(self, keys) -> None:
        with self.lock:
            self._remember(keys)

    def _remember(self, keys) -> None:
        for key in keys:
            if len(self.missed) >= MAX_MISSED:
                self.overflowed = True
                return
            self.missed.add(key)

    def _log_if_due(self) -> None:
        now = self.clock()
        if now - self.logged_at >= LOG_EVERY_SECONDS:
            logger.warning(
                "cache %s still unavailable after %.0f s: %d calls answered without it in the last minute",
                self.name,
                now - (self.down_since or now),
                self.calls,
            )
            self.logged_at, self.calls = now, 0

    def recovered(self) -> tuple[list[str], bool, float] | None:
        """Redis answered after an outage: the keys to delete, whether some were not remembered, and how
        long it was down. None when there was no outage."""
        with self.lock:
            if self.down_since is None:
                return None
            down_for = self.clock() - self.down_since
            keys, overflowed = list(self.missed), self.overflowed
            self.down_since, self.missed, self.overflowed = None, set(), False
            return keys, overflowed, down_for


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache whose calls survive a Redis outage (see the module's docstring)."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = RedisCacheClient
        self.outage = Outage(",".join(_without_password(url) for url in self._servers))

    # --- the guard ------------------------------------------------------------------------------------

    def _call(self, fallback, method, *args, write_keys=(), **kwargs):
        if self.outage.skip():
            if write_keys:
                self.outage.skipped_write(write_keys)
            return fallback
        try:
            if self.outage.down_since is not None:
                self._repair()  # before the call: it must not read a value that is stale
            return method(*args, **kwargs)
        except UNAVAILABLE as exc:
            self.outage.failed(exc, write_keys)
            return fallback

    def _repair(self) -> None:
        """Redis answered a try after an outage: delete the keys written meanwhile (raises, keeping them
        for the next try, when it is still down)."""
        back = self.outage.recovered()
        if back is None:
            return
        keys, overflowed, down_for = back
        try:
            if keys:
                self._cache.delete_many(keys)
        except UNAVAILABLE as exc:
            self.outage.failed(exc, keys)
            raise
        logger.warning(
            "cache %s available again after %.0f s; %d keys written meanwhile were invalidated%s",
            self.outage.name,
            down_for,
            len(keys),
            " (more were written than remembered: they expire by their timeout)" if overflowed else "",
        )

    def _key(self, key, version=None) -> str:
        return self.make_and_validate_key(key, version=version)

    # --- Django's cache API ---------------------------------------------------------------------------

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        k = self._key(key, version)
        return self._call(True, self._cache.add, k, value, self.get_backend_timeout(timeout), write_keys=(k,))

    def get(self, key, default=None, version=None):
        return self._call(default, self._cache.get, self._key(key, version), default)

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        k = self._key(key, version)
        self._call(None, self._cache.set, k, value, self.get_backend_timeout(timeout), write_keys=(k,))

    def touch(self, key, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        k = self._key(key, version)
        return self._call(False, self._cache.touch, k, self.get_backend_timeout(timeout))

    def delete(self, key, version=None):
        k = self._key(key, version)
        return self._call(False, self._cache.delete, k, write_keys=(k,))

    def get_many(self, keys, version=None):
        key_map = {self._key(key, version): key for key in keys}
        ret = self._call({}, self._cache.get_many, key_map.keys())
        return {key_map[k]: v for k, v in ret.items()}

    def has_key(self, key, version=None):
        return self._call(False, self._cache.has_key, self._key(key, version))

    def incr(self, key, delta=1, version=None):
        k = self._key(key, version)
        missing = object()
        value = self._call(missing, self._cache.incr, k, delta, write_keys=(k,))
        if value is missing:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return value

    def set_many(self, data, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        safe_data = {self._key(key, version): value for key, value in data.items()}
        self._call(
            None,
            self._cache.set_many,
            safe_data,
            self.get_backend_timeout(timeout),
            write_keys=tuple(safe_data),
        )
        return []

    def delete_many(self, keys, version=None):
        if not keys:
            return
        safe_keys = [self._key(key, version) for key in keys]
        self._call(None, self._cache.delete_many, safe_keys, write_keys=tuple(safe_keys))

    def clear(self):
        return self._call(False, self._cache.clear)
