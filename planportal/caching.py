"""Cached public pages, invalidated whenever staff change published content.

Rendered public pages are cached under a key that includes a *content
version*. Any save or delete of a registered content model (and every bulk
write that bypasses signals: publishing, tree moves, imports) bumps the
version, so every cached page goes stale at once. Signed-in staff are never
served from the cache: they may be previewing drafts.

Some content changes with the clock rather than with a save: a comment
period opens and closes at set instants. Its app registers those instants
(``register_schedule``), and the cache key also includes how many of them
have passed, so pages are rebuilt as soon as one passes.

The cache must be shared by all gunicorn workers: the default is a
file-based cache (see settings.CACHES).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import threading
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

CONTENT_VERSION_KEY = "public-content-version"
SCHEDULE_KEY = "public-schedule"
PAGE_TIMEOUT = 60 * 60  # a page is rebuilt at least hourly, whatever happens

_schedules: list[Callable[[], Iterable[datetime]]] = []


def content_version() -> str:
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(CONTENT_VERSION_KEY, version, None)
        version = cache.get(CONTENT_VERSION_KEY, version)
    return version


def _new_version() -> None:
    cache.set(CONTENT_VERSION_KEY, uuid.uuid4().hex, None)


_muted = threading.local()


@contextmanager
def invalidation_muted():
    """Writes in this thread bump nothing: for a dry run, whose writes are all
    rolled back and so change no content."""
    previous = getattr(_muted, "on", False)
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = previous


def bump_content_version(**_ignored) -> None:
    """Make every cached public page stale: now, and again once the transaction
    commits, so that no page rendered from not-yet-committed data outlives it."""
    if getattr(_muted, "on", False):
        return
    _new_version()
    transaction.on_commit(_new_version)


def register_public_content(*models) -> None:
    """Invalidate the page cache whenever one of ``models`` changes."""
    for model in models:
        uid = f"public-content-{model._meta.label}"
        post_save.connect(bump_content_version, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=uid + "-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                bump_content_version,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-{field.name}",
            )


def register_schedule(instants: Callable[[], Iterable[datetime]]) -> None:
    """Make cached pages stale whenever one of the instants ``instants()`` returns passes.

    The instants are read once per content version: the models they come from
    must be registered with ``register_public_content`` too.
    """
    if instants not in _schedules:
        _schedules.append(instants)


def schedule_epoch(version: str) -> int:
    """How many registered instants have passed: part of every cached page's key."""
    if not _schedules:
        return 0
    key = f"{SCHEDULE_KEY}:{version}"
    stamps = cache.get(key)
    if stamps is None:
        stamps = sorted(moment.timestamp() for instants in _schedules for moment in instants())
        cache.set(key, stamps, PAGE_TIMEOUT)
    return bisect.bisect_right(stamps, timezone.now().timestamp())


def cache_public_page(view):
    """Serve a public GET page from the cache; staff and other methods pass through."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        version = content_version()
        key = f"page:{version}:{schedule_epoch(version)}:{get_language()}:{path}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, PAGE_TIMEOUT)
        return response

    return wrapper
