"""The cache from the environment: Redis shared by every host, and a Redis outage
that costs speed, never a page or a save."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from planportal.caching import EVERYTHING, plan_key, versions
from projects.models import Project
from tests.redis_cache import REDIS_URL, redis_caches
from tests.test_locking import change_url, form_data


def cache_backend(**environment) -> str:
    """The default cache backend planportal.settings reads from ``environment``."""
    names = {"CACHE_URL", "REDIS_URL", "DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in names} | environment
    code = "import planportal.settings as s; print(s.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    return result.stdout.strip()


@pytest.mark.parametrize("variable", ["CACHE_URL", "REDIS_URL"])
def test_a_cache_url_selects_redis(variable):
    backend = cache_backend(**{variable: REDIS_URL})
    assert backend == "planportal.caching.FaultTolerantRedisCache"


def test_without_a_cache_url_the_file_cache_stays():
    assert cache_backend() == "django.core.cache.backends.filebased.FileBasedCache"


def test_two_hosts_on_one_redis_share_the_content_version(redis_cache, client, db):
    """A save seen by one host's cache connection stales the page cached through another."""
    other_host = RedisCache(REDIS_URL, redis_caches(REDIS_URL)["default"])
    project = Project.objects.published().first()
    url = project.get_absolute_url()
    client.get(url)
    key = plan_key(project.plan.slug)
    version = versions([key])[0]
    assert other_host.get(key) == version

    project.summary = "別のホストで保存した概要"
    project.save()

    assert other_host.get(key) != version
    assert "別のホストで保存した概要" in client.get(url).content.decode()


def test_with_redis_down_public_pages_answer_uncached(redis_down, client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="planportal.caching"):
        for url in ("/", reverse("policies:search") + "?q=公園"):
            assert client.get(url).status_code == 200
            assert client.get(url).status_code == 200
    assert "Cache unavailable" in caplog.text


def test_with_redis_down_staff_saves_succeed(redis_down, admin_client, db):
    project = Project.objects.published().first()
    data = form_data(admin_client.get(change_url(project)))
    data["summary"] = "Redisが止まっていても保存できる"
    assert admin_client.post(change_url(project), data).status_code == 302
    project.refresh_from_db()
    assert project.summary == "Redisが止まっていても保存できる"
    assert cache.get(EVERYTHING) is None  # nothing was cached, nothing raised
