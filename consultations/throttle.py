"""A per-client limit on comment submissions, counted where nothing evicts the count.

The client is its IP address (``planportal.clients``), hashed with the secret
key before it is stored, and stored only for the length of a window.

The count is atomic and never dropped early: in Redis (``INCR`` and
``EXPIRE`` in one transaction) when the cache is Redis, otherwise in the
database (``SubmissionCounter``, an ``UPDATE … SET count = count + 1``). A
size-capped cache would let a client reset its count by filling the cache.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from consultations.models import SubmissionCounter
from planportal.caching import redis_for
from planportal.clients import client_key

logger = logging.getLogger(__name__)

KEY_PREFIX = "consultations:submissions:"


def allow_submission(request) -> bool:
    """Count one submission attempt by this client; False once it is over the limit
    (``COMMENT_RATE_LIMIT`` attempts in a window of ``COMMENT_RATE_WINDOW`` seconds
    from its first attempt)."""
    return count_attempt(client_key(request)) <= settings.COMMENT_RATE_LIMIT


def count_attempt(digest: str) -> int:
    """This attempt's number in the client's current window."""
    window = settings.COMMENT_RATE_WINDOW
    in_redis = redis_for(KEY_PREFIX + digest)
    if in_redis is not None:
        try:
            return _count_in_redis(*in_redis, window)
        except redis.RedisError as error:
            logger.warning(
                "Redis unavailable, counting comment attempts in the database: %s", error
            )
    return _count_in_database(digest, window, time.time())


def _count_in_redis(client: redis.Redis, key: str, window: int) -> int:
    """INCR creates the key at 1; the expiry is set only then (NX), so the window runs
    from the first attempt. MULTI/EXEC: no attempt sees the key without its expiry."""
    pipeline = client.pipeline(transaction=True)
    pipeline.incr(key)
    pipeline.expire(key, window, nx=True)
    count, _ = pipeline.execute()
    return count


def _count_in_database(digest: str, window: int, now: float) -> int:
    """Increment the client's row in place; a window that has passed is deleted first
    (with every other finished window), and a missing row is created. Two first attempts
    at once: one insert wins, the other increments its row."""
    started = datetime.fromtimestamp(now, tz=UTC)
    expired = SubmissionCounter.objects.filter(
        window_started__lte=datetime.fromtimestamp(now - window, tz=UTC)
    )
    counters = SubmissionCounter.objects.filter(key=digest)
    with transaction.atomic():
        expired.delete()
        while not counters.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    SubmissionCounter.objects.create(key=digest, window_started=started, count=1)
                break
            except IntegrityError:
                continue  # created by a concurrent first attempt: increment that one
        return counters.values_list("count", flat=True).get()
