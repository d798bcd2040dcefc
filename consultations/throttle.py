"""A per-client limit on comment submissions, counted in the shared cache.

The client is its IP address. Behind a reverse proxy every request comes from
the proxy, so ``X-Forwarded-For`` is read only when the operator says how many
proxies in front of the portal append to it (``TRUSTED_PROXY_COUNT``); a
client cannot forge the entries those proxies add. Addresses are hashed
before they become cache keys and are never stored in the database.
"""

from __future__ import annotations

import hashlib

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
    (``COMMENT_RATE_LIMIT`` attempts per ``COMMENT_RATE_WINDOW`` seconds)."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()
    key = KEY_PREFIX + digest
    window = settings.COMMENT_RATE_WINDOW
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add() and incr()
        cache.set(key, 1, window)
        count = 1
    return count <= settings.COMMENT_RATE_LIMIT
