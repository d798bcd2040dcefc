"""Cached public pages, invalidated whenever staff change published content.

Rendered public pages are cached under a key that includes a *content
version*. Any save or delete of a registered content model (and every bulk
write that bypasses signals: publishing, tree moves, imports) bumps the
version, so every cached page goes stale at once. Signed-in staff are never
served from the cache: they may be previewing drafts.

Some content changes with the clock rather than with a save: a comment
period opens and closes at set instants. Its app registers those instants
(``register_schedule``), and the cache key also includes how many of them
have passed, so pages are rebuilt as soon as one passes. And pages say where
plans and drafting steps stand today, so the key includes today's date.

The cache must be shared by everything that serves or builds pages: Redis
(``CACHE_URL``) across hosts, or a file cache on a single host (see
settings.CACHES). When Redis is down the site keeps working uncached
(``FaultTolerantRedisCache``): every read is a miss, every write is dropped,
both logged.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponseNotModified, QueryDict
from django.utils import timezone
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

CONTENT_VERSION_KEY = "public-content-version"
CHANGED_AT_KEY = "public-content-changed-at"
SCHEDULE_KEY = "public-schedule"
PAGE_TIMEOUT = 60 * 60  # a page is rebuilt at least hourly, whatever happens

_schedules: list[Callable[[], Iterable[datetime]]] = []


def _tolerant(fallback):
    """Wrap a cache method so that a Redis failure returns ``fallback`` instead of raising."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as error:
                logger.warning("Cache unavailable, %s skipped: %s", method.__name__, error)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapper

    return decorate


class FaultTolerantRedisCache(RedisCache):
    """Django's Redis cache, for which an unreachable Redis is an empty cache.

    Public pages are then rendered on every request and staff saves still
    succeed (their content-version bump is lost with the cache it would have
    invalidated). Django's backend has no option for this, hence the subclass.
    """

    get = _tolerant(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _tolerant({})(RedisCache.get_many)
    has_key = _tolerant(False)(RedisCache.has_key)
    add = _tolerant(False)(RedisCache.add)
    set = _tolerant(None)(RedisCache.set)
    set_many = _tolerant([])(RedisCache.set_many)
    touch = _tolerant(False)(RedisCache.touch)
    delete = _tolerant(False)(RedisCache.delete)
    delete_many = _tolerant(None)(RedisCache.delete_many)
    clear = _tolerant(None)(RedisCache.clear)


def redis_for(key: str) -> tuple[redis.Redis, str] | None:
    """The default cache's Redis connection and ``key`` as stored there (prefix and
    version added), for atomic commands the cache API lacks; None when the cache is
    not Redis."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    stored_key = backend.make_and_validate_key(key)
    return backend._cache.get_client(stored_key, write=True), stored_key


def content_version() -> str:
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(CONTENT_VERSION_KEY, version, None)
        version = cache.get(CONTENT_VERSION_KEY, version)
    return version


def _new_version() -> None:
    cache.set_many({CONTENT_VERSION_KEY: uuid.uuid4().hex, CHANGED_AT_KEY: time.time()}, None)


def content_changed_within(seconds: float) -> bool:
    """Whether content changed in the last ``seconds`` (a database replica may lag)."""
    return time.time() - cache.get(CHANGED_AT_KEY, 0) < seconds


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


def _schedule_stamps(version: str) -> list[float]:
    """The registered instants, sorted, read once per content version."""
    if not _schedules:
        return []
    key = f"{SCHEDULE_KEY}:{version}"
    stamps = cache.get(key)
    if stamps is None:
        stamps = sorted(moment.timestamp() for instants in _schedules for moment in instants())
        cache.set(key, stamps, PAGE_TIMEOUT)
    return stamps


def schedule_epoch(version: str) -> int:
    """How many registered instants have passed: part of every cached page's key."""
    return bisect.bisect_right(_schedule_stamps(version), timezone.now().timestamp())


def seconds_until_next_instant(version: str) -> float | None:
    """How long the current schedule epoch lasts; None when no instant is ahead."""
    stamps, now = _schedule_stamps(version), timezone.now().timestamp()
    upcoming = bisect.bisect_right(stamps, now)
    return stamps[upcoming] - now if upcoming < len(stamps) else None


def keep_only(request, params: Iterable[str]) -> None:
    """Drop every query parameter not in ``params`` from ``request`` and put the rest in
    a fixed order: the view, and every link it builds from the request's URL, then see
    exactly what the cache key says."""
    query = QueryDict(mutable=True)
    for name in sorted(set(params) & set(request.GET)):
        query.setlist(name, request.GET.getlist(name))
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()


def cache_public_page(view=None, *, params: Iterable[str] = ()):
    """Serve a public GET page from the cache; staff and other methods pass through.

    ``params`` are the query parameters the page reads (a page number, search
    terms, filters): only they vary the cached copy. Any other parameter is
    dropped before the view runs, so random query strings cannot bypass the
    cache or fill it.
    """
    if view is None:
        return functools.partial(cache_public_page, params=params)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        keep_only(request, params)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        version = content_version()
        today = timezone.localdate().isoformat()  # pages say what is current, overdue, ended
        key = f"page:{version}:{schedule_epoch(version)}:{today}:{get_language()}:{path}"
        etag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
        lifetime = seconds_until_next_instant(version)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return mark_public(HttpResponseNotModified(), etag, lifetime)
        response = cache.get(key) if settings.PAGE_CACHE else None
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.cookies:
                return response
            if response.streaming:  # read as it is sent (a big export): not kept here
                return mark_public(response, etag, lifetime)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if settings.PAGE_CACHE:
                cache.set(key, response, PAGE_TIMEOUT)
        return mark_public(response, etag, lifetime)

    return wrapper


def mark_public(response, etag: str, lifetime: float | None):
    """Let browsers and front caches (nginx, a CDN) keep the page, at most until the
    next scheduled instant; after that a browser revalidates with the ETag.

    Browsers keep it ``HTTP_MAX_AGE`` seconds, shared caches ``HTTP_SHARED_MAX_AGE``
    and may serve it ``HTTP_STALE_WHILE_REVALIDATE`` seconds longer while they fetch
    a fresh copy: an edit reaches every visitor within those seconds, without purges.
    """
    max_age, shared = settings.HTTP_MAX_AGE, settings.HTTP_SHARED_MAX_AGE
    stale = settings.HTTP_STALE_WHILE_REVALIDATE
    if lifetime is not None:
        max_age, shared, stale = (min(value, int(lifetime)) for value in (max_age, shared, stale))
    response["ETag"] = etag
    response["Cache-Control"] = (
        f"public, max-age={max_age}, s-maxage={shared}, stale-while-revalidate={stale}"
    )
    return response


def private_unless_public(get_response):
    """Middleware: a response whose view said nothing about caching is ``private,
    no-store`` (forms with CSRF tokens, receipts, staff previews, anything for a
    signed-in user), and so is a public one that turns out personal (it sets a cookie,
    or the visitor is signed in). Placed first, it sees the response last."""

    def middleware(request):
        response = get_response(request)
        cache_control = response.get("Cache-Control", "")
        user = getattr(request, "user", None)  # absent on static files (WhiteNoise)
        personal = bool(response.cookies) or (user is not None and user.is_authenticated)
        if not cache_control or ("public" in cache_control and personal):
            response["Cache-Control"] = "private, no-store"
            del response["ETag"]
        return response

    return middleware
