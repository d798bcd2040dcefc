"""The local Redis (127.0.0.1:6379) as the default cache, for the tests that need one.

Database 15 is the tests' own (``TEST_REDIS_URL`` names another, for test runs side by
side): it is emptied around each test that uses it.
"""

import os

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def redis_caches(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "planportal.caching.FaultTolerantRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "planportal-tests",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }


def redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def redis_cache(settings):
    """The default cache is the local Redis; skipped, saying why, when none runs."""
    if not redis_reachable():
        pytest.skip(
            "no Redis at 127.0.0.1:6379 (.ci/run starts one when redis-server is installed)"
        )
    settings.CACHES = redis_caches(REDIS_URL)
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def redis_down(settings):
    """The default cache is a Redis that cannot be reached."""
    settings.CACHES = redis_caches(UNREACHABLE_REDIS_URL)
    from django.core.cache import cache

    return cache
