"""Who is asking: the client's address behind trusted proxies, and a key that names
the client without storing its address (rate limits, per-client queue quotas).

Behind a reverse proxy every request comes from the proxy, so ``X-Forwarded-For``
is read only when the operator says how many proxies in front of the portal
append to it (``TRUSTED_PROXY_COUNT``); a client cannot forge the entries those
proxies add.
"""

from __future__ import annotations

import hashlib

from django.conf import settings


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


def client_key(request) -> str:
    """A keyed hash of the client's address: the same client, the same key; no address stored."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()
