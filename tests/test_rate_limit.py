"""The comment rate limit: atomic, and not reset by anything that evicts or clears the cache."""

import time

import pytest
from django.core.cache import cache

from consultations.models import SubmissionCounter
from consultations.throttle import KEY_PREFIX, allow_submission, count_attempt
from planportal.caching import redis_for
from tests.test_locking import postgresql_only, run_together


@pytest.fixture
def limit(settings):
    settings.COMMENT_RATE_LIMIT, settings.COMMENT_RATE_WINDOW = 2, 900
    return settings


def test_the_window_runs_from_the_first_attempt_in_the_database(rf, limit, db, monkeypatch):
    request, start = rf.post("/"), time.time()
    assert [allow_submission(request) for _ in range(3)] == [True, True, False]
    monkeypatch.setattr(time, "time", lambda: start + 600)
    assert not allow_submission(request)
    monkeypatch.setattr(time, "time", lambda: start + 901)
    assert allow_submission(request)
    assert SubmissionCounter.objects.get().count == 1  # the old window's row was replaced


def test_filling_or_clearing_the_cache_resets_no_one(rf, limit, db):
    request = rf.post("/")
    assert [allow_submission(request) for _ in range(3)] == [True, True, False]
    for number in range(50):
        cache.set(f"filler-{number}", "x" * 1000)
    cache.clear()
    assert not allow_submission(request)
    assert allow_submission(rf.post("/", REMOTE_ADDR="198.51.100.9"))  # another client


def test_no_address_is_stored(rf, limit, db):
    allow_submission(rf.post("/", REMOTE_ADDR="198.51.100.7"))
    assert "198.51.100.7" not in SubmissionCounter.objects.get().key


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_attempts_are_each_counted_in_the_database(limit):
    counts = run_together([lambda: count_attempt("same-client")] * 8)
    assert sorted(counts) == list(range(1, 9))
    assert SubmissionCounter.objects.get(key="same-client").count == 8


def test_simultaneous_attempts_are_each_counted_in_redis(redis_cache, limit, db):
    counts = run_together([lambda: count_attempt("same-client")] * 16)
    assert sorted(counts) == list(range(1, 17))
    client, key = redis_for(KEY_PREFIX + "same-client")
    assert 890 <= client.ttl(key) <= 900  # the window started with the first attempt
    assert not SubmissionCounter.objects.exists()


def test_a_redis_counter_outlives_a_cache_clear_of_pages(redis_cache, rf, limit, db):
    """Pages are deleted by key; the counters never go through the page cache's deletes."""
    request = rf.post("/")
    assert [allow_submission(request) for _ in range(3)] == [True, True, False]
    cache.delete_many([f"page:{n}" for n in range(10)])
    assert not allow_submission(request)


def test_with_redis_down_attempts_are_counted_in_the_database(redis_down, rf, limit, db):
    request = rf.post("/")
    assert [allow_submission(request) for _ in range(3)] == [True, True, False]
    assert SubmissionCounter.objects.get().count == 3
