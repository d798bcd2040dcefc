"""A per-client limit on comment submissions, counted in the shared cache.

The client is its IP address. Behind a reverse proxy every request comes from
the proxy, so ``X-Forwarded-For`` is read only when the operator says how many
proxies in front of the portal append to it (``TRUSTED_PROXY_COUNT``); a
client cannot forge the entries those proxies add. Addresses are hashed
before they become cache keys and are never stored in the database.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "consultations:submissions:"


def client_ip(request, trusted_proxies: int | None = None) -> str:
    """The client's address: REMOTE_ADDR, or the entry the outermost trusted proxy added."""
    if trusted_proxies is None:
        trusted_proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted_proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    return forwarded[-trusted_proxies] if len(forwarded) >= trusted_proxies else forwarded[0]


def allow_submission(request) -> bool:
    """Count one submission attempt by this client; False once it is over the limit
    (``COMMENT_RATE_LIMIT`` attempts in a window of ``COMMENT_RATE_WINDOW`` seconds
    from its first attempt).

    The count and the window's start are stored together, so the window does not
    depend on how a cache backend times out an incremented key. Two attempts at
    the very same moment may be counted as one: a limit against floods, not a quota.
    """
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()
    key = KEY_PREFIX + digest
    window, now = settings.COMMENT_RATE_WINDOW, time.time()
    count, started = cache.get(key, (0, now))
    if started + window <= now:
        count, started = 0, now
    count += 1
    cache.set(key, (count, started), timeout=max(1, round(started + window - now)))
    return count <= settings.COMMENT_RATE_LIMIT
