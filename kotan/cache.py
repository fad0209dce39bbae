"""Django's Redis cache backend, keeping one redis client per connection pool.

Django's RedisCacheClient builds a new redis.Redis for every cache call. redis-py's constructor fills a
table of about 170 response callbacks, which cost more CPU than the GET itself on the call every logged-in
request makes (the session, SESSION_ENGINE cached_db). A redis.Redis is safe to share between threads (each
command takes a connection from the pool) and its pool reconnects after a fork, so one per pool will do.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


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


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
