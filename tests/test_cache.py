"""kotan.infra.cache.RedisCache: Django's Redis cache, with one redis client per connection pool."""

import pytest
import redis

from kotan.infra.cache import RedisCache

URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(
    not _redis_answers(), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)"
)


def test_values_round_trip_and_the_client_is_built_once():
    cache = RedisCache(URL, {"KEY_PREFIX": "test-cache"})
    try:
        cache.set("sesi", {"_auth_user_id": "7"}, 30)
        assert cache.get("sesi") == {"_auth_user_id": "7"}
        assert cache.get("tidak-ada", "bawaan") == "bawaan"
        client = cache._cache.get_client()
        assert cache._cache.get_client(write=True) is client  # one server: one pool, one client
        assert isinstance(client, redis.Redis)
        cache.delete("sesi")
        assert cache.get("sesi") is None
    finally:
        cache.clear()
