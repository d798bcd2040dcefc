"""Cached public pages and PDFs, invalidated by what staff changed.

**Versions.** A cached copy is valid while the *content versions* it was built
under stay the same. There are four kinds, each a token in the cache:

- ``everything``: shared reference data (municipalities, wards, bureaus, SDG
  goals, scales) and plan rows themselves (titles, related plans); every copy
  depends on it;
- ``listings``: the cross-plan pages (home, search, wards, SDGs, glossary,
  public comments, anything that declares no plan); any change in any plan
  bumps it;
- ``plan:<slug>``: the pages of one plan (URLs with its slug); any change in
  the plan bumps it;
- ``plan-head:<slug>`` and ``node:<pk>``: a section's PDF depends on its plan's
  head (data printed in every section: levels, strategies, the node rows) and
  on its node, whose version rises when anything in its subtree (texts,
  listings, projects with their targets and results, indicators) changes.

Each content model says, when registered (``register_public_content``), how to
reach its plan's slug and the nodes it is printed under; saves and deletes
(signals) bump those versions: now, and again once the transaction commits.
Bulk writers mute the signals and bump once, at commit (``bulk_changes_of``,
``bump_plan_on_commit``); a dry run bumps nothing (``invalidation_muted``).

**Pages.** ``cache_public_page`` declares a page's query parameters and the URL
argument naming its plan (none: a cross-plan listing). A copy is stored with
the versions it was rendered under, its body and its headers, under a key of
its language and path; ``PageCacheMiddleware``, early in the stack, serves it
with one ``get_many`` (versions, schedule, copy). Its ETag derives from the
versions, so an unchanged page answers revalidations with 304.

Some content changes with the clock rather than with a save: a comment
period opens and closes at set instants. Its app registers those instants
(``register_schedule``); a copy also records how many of them had passed and
the date (pages say where plans stand today), and is stale when either moved.

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
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.http import parse_etags, quote_etag

logger = logging.getLogger(__name__)

EVERYTHING = "cv:all"
LISTINGS = "cv:listings"
CHANGED_AT_KEY = "public-content-changed-at"
SCHEDULE_KEY = "public-schedule"
PAGE_TIMEOUT = 60 * 60  # a page is rebuilt at least hourly, whatever happens

_schedules: list[Callable[[], Iterable[datetime]]] = []
_scheduling_models: set[type] = set()


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


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a ``redis.Redis`` (with its table of some 170 response
    callbacks) for every command, a tenth of a cached page's time; one per connection
    pool serves them all (it is thread-safe)."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if pool not in clients:
            clients[pool] = self._client(connection_pool=pool)
        return clients[pool]


class FaultTolerantRedisCache(RedisCache):
    """Django's Redis cache, for which an unreachable Redis is an empty cache.

    Public pages are then rendered on every request and staff saves still
    succeed (their content-version bump is lost with the cache it would have
    invalidated). Django's backend has no option for this, hence the subclass.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

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


# --- versions ------------------------------------------------------------------------


def plan_key(slug: str) -> str:
    return f"cv:plan:{slug}"


def plan_head_key(slug: str) -> str:
    return f"cv:plan-head:{slug}"


def node_key(pk: int) -> str:
    return f"cv:node:{pk}"


def page_version_keys(plan_slug: str | None) -> list[str]:
    """What a page depends on: its plan, or (no plan) the cross-plan listings."""
    return [EVERYTHING, plan_key(plan_slug) if plan_slug else LISTINGS]


def section_version_keys(plan_slug: str, node_id: int | None) -> list[str]:
    """What a section's PDF depends on: the whole plan, or its plan's head and its node."""
    if node_id is None:
        return [EVERYTHING, plan_key(plan_slug)]
    return [EVERYTHING, plan_head_key(plan_slug), node_key(node_id)]


def versions(keys: list[str], found: dict | None = None) -> list[str]:
    """The current tokens of ``keys`` (``found``: those already read), creating missing ones."""
    found = cache.get_many(keys) if found is None else found
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, uuid.uuid4().hex, None)
    if missing:
        found = {**found, **cache.get_many(missing)}
    # Still missing: the cache is down, and no copy or ETag may match this one.
    return [found.get(key) or uuid.uuid4().hex for key in keys]


def _bump(keys: set[str]) -> None:
    """New tokens for ``keys``; SCHEDULE_KEY among them: read the instants again."""
    token = uuid.uuid4().hex
    versioned = keys - {SCHEDULE_KEY}
    cache.set_many({**dict.fromkeys(versioned, token), CHANGED_AT_KEY: time.time()}, None)
    if SCHEDULE_KEY in keys or EVERYTHING in keys:
        cache.delete(SCHEDULE_KEY)


def content_changed_within(seconds: float) -> bool:
    """Whether content changed in the last ``seconds`` (a database replica may lag)."""
    return time.time() - cache.get(CHANGED_AT_KEY, 0) < seconds


_local = threading.local()


@contextmanager
def invalidation_muted():
    """Writes in this thread bump nothing: for a dry run, whose writes are all rolled
    back and so change no content, and for a bulk writer that bumps once itself."""
    previous = getattr(_local, "muted", False)
    _local.muted = True
    try:
        yield
    finally:
        _local.muted = previous


def _muted() -> bool:
    return getattr(_local, "muted", False)


class _BumpAtCommit:
    """An on-commit callback bumping the keys that the writes of one atomic block asked
    for; it is discarded with them when the block rolls back."""

    def __init__(self):
        self.keys: set[str] = set()

    def __call__(self):
        _bump(self.keys)


def _bump_on_commit(keys: Iterable[str]) -> None:
    """Bump ``keys`` when the transaction commits: once per atomic block, however many
    writes asked (at once when no transaction is open)."""
    if _muted():
        return
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids)
    for ids, func, *_rest in connection.run_on_commit:
        if isinstance(func, _BumpAtCommit) and ids == here:
            func.keys.update(keys)
            return
    callback = _BumpAtCommit()
    callback.keys.update(keys)
    transaction.on_commit(callback)


def _bump_now_and_on_commit(keys: set[str]) -> None:
    """Bump now (for pages rendered inside the writing transaction, as in tests and
    staff previews) and again at commit (for pages rendered before the commit)."""
    if _muted() or not keys:
        return
    _bump(keys)
    _bump_on_commit(keys)


def plan_changed_keys(slug: str | None, nodes: Iterable[int] | None = None) -> set[str]:
    """The versions a change in plan ``slug`` bumps: its pages and the listings, and
    the PDFs of the sections of ``nodes`` (each node with its ancestors) or, when
    None, of every section. No plan: everything."""
    if not slug:
        return {EVERYTHING}
    if nodes is None:
        return {plan_key(slug), LISTINGS, plan_head_key(slug)}
    return {plan_key(slug), LISTINGS, *(node_key(pk) for pk in nodes)}


def bump_content_version(**_ignored) -> None:
    """Make every cached page and PDF stale (shared data changed, a restore)."""
    _bump_now_and_on_commit({EVERYTHING})


def bump_plan(slug: str) -> None:
    """Make the pages and every PDF of plan ``slug`` stale, and the cross-plan listings."""
    _bump_now_and_on_commit(plan_changed_keys(slug))


def bump_plan_on_commit(slug: str) -> None:
    """For bulk writers: the pages and PDFs of plan ``slug`` (and the listings) go stale
    once, when the transaction commits. Call it inside the writing transaction, or
    after it (then it bumps at once)."""
    _bump_on_commit(plan_changed_keys(slug))


@contextmanager
def bulk_changes_of(slug: str):
    """Write plan ``slug`` in bulk: the signals of the writes in this block bump nothing,
    and the plan is bumped once when the transaction commits (not if the block raises)."""
    with invalidation_muted():
        yield
    bump_plan_on_commit(slug)


# --- what a change touches ------------------------------------------------------------


@dataclass(frozen=True)
class ContentScope:
    """How a content model reaches the plan it belongs to and the nodes it is printed
    under: ORM lookup paths from the model (``"project__plan__slug"``), tried in turn."""

    plans: tuple[str, ...] = ()
    nodes: tuple[str, ...] | None = None  # None: printed in every section of its plan

    def from_instance(self, instance, paths: tuple[str, ...]):
        """The values of ``paths`` for ``instance``: straight from its fields, else one
        query from the first related row (it may be deleted itself)."""
        model = type(instance)
        values = []
        for path in paths:
            first, _, rest = path.partition("__")
            field = model._meta.get_field(first)
            if not rest:
                values.append(getattr(instance, field.attname))
            elif field.many_to_one:
                related = field.related_model._default_manager.filter(
                    pk=getattr(instance, field.attname)
                )
                values.append(related.values_list(rest, flat=True))
            else:
                values.append(
                    model._default_manager.filter(pk=instance.pk).values_list(path, flat=True)
                )
        return values

    def plan_slug(self, instance) -> str | None:
        for value in self.from_instance(instance, self.plans):
            slug = value if isinstance(value, str) or value is None else value.first()
            if slug:
                return slug
        return None

    def stored(self, instance) -> tuple[str | None, list[int]]:
        """The plan and nodes as stored, before a save changes them (one query)."""
        row = (
            type(instance)
            ._default_manager.filter(pk=instance.pk)
            .values_list(*self.plans, *(self.nodes or ()))
        )
        slugs, nodes = set(), set()
        for values in row:
            slugs.update(value for value in values[: len(self.plans)] if value)
            nodes.update(value for value in values[len(self.plans) :] if value)
        return next(iter(slugs), None), sorted(nodes)


_scopes: dict[type, ContentScope | None] = {}
_tree: dict[str, object] = {}


def register_section_tree(model, sections_containing: Callable) -> None:
    """Sections are subtrees of ``model``; ``sections_containing(nodes)`` gives the pks of
    the nodes whose sections print any of ``nodes`` (pks, or lists or querysets of
    pks): those nodes and their ancestors."""
    _tree.update(model=model, containing=sections_containing)


def _sections_of(nodes: list) -> list[int] | None:
    """The sections printing ``nodes`` (pks or querysets); None: every section."""
    if not _tree:
        return None
    return _tree["containing"]([node for node in nodes if node is not None])


def _changed_keys(scope: ContentScope | None, instance, stored=None) -> set[str]:
    """What a change of ``instance`` stales (``stored``: its plan and nodes before it)."""
    if scope is None:
        return {EVERYTHING}
    old_slug, old_nodes = stored or (None, [])
    try:
        slug = scope.plan_slug(instance)
        if scope.nodes is None:
            return plan_changed_keys(slug) | (plan_changed_keys(old_slug) if old_slug else set())
        nodes = scope.from_instance(instance, scope.nodes)
        keys = plan_changed_keys(slug, _sections_of([*nodes, old_nodes]))
    except ObjectDoesNotExist:
        return {EVERYTHING}
    if old_slug and old_slug != slug:
        keys |= plan_changed_keys(old_slug)  # moved to another plan: every section there
    return keys


def _remember_stored(sender, instance, raw=False, **kwargs):
    scope = _scopes.get(sender)
    if raw or scope is None or _muted() or instance.pk is None or instance._state.adding:
        return
    instance._cache_stored = scope.stored(instance)


def _on_save_or_delete(sender, instance, raw=False, **kwargs):
    if _muted():
        return
    scope = _scopes.get(sender)
    if raw:  # fixtures: related rows may not be loaded yet
        scope = None
    stored = instance.__dict__.pop("_cache_stored", None)
    keys = _changed_keys(scope, instance, stored)
    if sender in _scheduling_models:
        keys.add(SCHEDULE_KEY)
    _bump_now_and_on_commit(keys)


def _on_m2m_changed(sender, instance, action, reverse, model, pk_set=None, **kwargs):
    if _muted() or not action.startswith(("pre_clear", "post_")) or action == "post_clear":
        return
    scope = None if reverse else _scopes.get(type(instance))
    nodes = list(pk_set or ()) if model is _tree.get("model") else []
    if action == "pre_clear" and scope is not None and scope.nodes is not None:
        nodes = scope.stored(instance)[1]  # clearing: the nodes it was printed under
    keys = _changed_keys(scope, instance, (None, nodes))
    if not reverse:
        keys |= _related_keys(instance, sender, model, pk_set)
    _bump_now_and_on_commit(keys)


def _related_keys(instance, sender, model, pk_set) -> set[str]:
    """What the rows on the other side of a link print, when they belong to a plan: a
    strategy's page (in the 総合計画) lists the projects of another plan tagged with it.
    Shared rows (wards, SDG goals) are shown on the cross-plan listings, bumped anyway."""
    scope = _scopes.get(model)
    if scope is None:
        return set()
    if pk_set is None:  # clearing: the rows linked until now
        field = next(
            f for f in type(instance)._meta.many_to_many if f.remote_field.through is sender
        )
        related = getattr(instance, field.name).all()
    else:
        related = model._default_manager.filter(pk__in=pk_set)
    keys: set[str] = set()
    for row in related:
        keys |= _changed_keys(scope, row)
    return keys


def register_public_content(
    *models, plans: Iterable[str] | None = None, nodes: Iterable[str] | None = None
) -> None:
    """Make the cached copies that show ``models`` stale whenever one of them changes.

    ``plans``: lookup paths from the model to its plan's slug; without them, a change
    makes everything stale. ``nodes``: lookup paths to the nodes under which it is
    printed; without them, a change stales every section PDF of its plan.
    """
    scope = ContentScope(tuple(plans), tuple(nodes) if nodes else None) if plans else None
    for model in models:
        _scopes[model] = scope
        uid = f"public-content-{model._meta.label}"
        if scope is not None:
            pre_save.connect(_remember_stored, sender=model, dispatch_uid=uid + "-stored")
        post_save.connect(_on_save_or_delete, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_save_or_delete, sender=model, dispatch_uid=uid + "-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _on_m2m_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-{field.name}",
            )


def bump_rows(model, pks: Iterable[int]) -> None:
    """Rows of ``model`` changed by a bulk write that sends no signals (publishing, a
    tree move): stale what they show, now and at commit."""
    scope = _scopes.get(model)
    if scope is None:
        _bump_now_and_on_commit({EVERYTHING})
        return
    rows = model._default_manager.filter(pk__in=list(pks))
    slugs = {slug for path in scope.plans for slug in rows.values_list(path, flat=True) if slug}
    sections = None
    if scope.nodes is not None and slugs:
        sections = _sections_of([rows.values_list(path, flat=True) for path in scope.nodes])
    keys = set().union(*(plan_changed_keys(slug, sections) for slug in slugs))
    if model in _scheduling_models:
        keys.add(SCHEDULE_KEY)
    _bump_now_and_on_commit(keys)


# --- the clock ---------------------------------------------------------------------------


def register_schedule(instants: Callable[[], Iterable[datetime]], *models) -> None:
    """Make cached pages stale whenever one of the instants ``instants()`` returns passes.

    The instants are read again after a change to one of ``models``, the models
    they come from (registered with ``register_public_content`` too).
    """
    if instants not in _schedules:
        _schedules.append(instants)
    _scheduling_models.update(models)


def _schedule_stamps(stamps: list[float] | None) -> list[float]:
    """The registered instants, sorted (``stamps``: as read from the cache)."""
    if stamps is None and _schedules:
        stamps = sorted(moment.timestamp() for instants in _schedules for moment in instants())
        cache.set(SCHEDULE_KEY, stamps, PAGE_TIMEOUT)
    return stamps or []


# --- pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PagePolicy:
    """What a cached page reads: these query parameters, and the plan its URL names."""

    params: frozenset[str]
    plan: str | None  # the URL argument holding the plan's slug; None: a cross-plan listing


@dataclass
class PageLookup:
    """A page's cache entry as read, and what a fresh copy must carry."""

    key: str
    stamp: tuple  # the versions, the schedule epoch and the date the copy is valid for
    etag: str
    lifetime: float | None  # seconds until the next scheduled instant
    entry: tuple | None  # (stamp, headers, body) as stored
    query: str | None  # the kept parameters in order, where the request's differ

    def response(self, request):
        """304 for a matching ETag, the stored copy if it is current, else None."""
        if self.etag in parse_etags(request.headers.get("If-None-Match", "")):
            return mark_public(HttpResponseNotModified(), self.etag, self.lifetime)
        if self.entry is not None and self.entry[0] == self.stamp:
            response = HttpResponse(self.entry[2], headers=self.entry[1])
            return mark_public(response, self.etag, self.lifetime)
        return None

    def prepare(self, request) -> None:
        """Before the view renders the page: let it, and every link it builds from the
        request's URL, see exactly the parameters the cache key says (not needed for a
        hit, which is why ``look_up_page`` leaves the request as it is)."""
        if self.query is not None:
            request.GET = QueryDict(self.query)
            request.META["QUERY_STRING"] = self.query

    def store(self, response) -> None:
        """Keep the response as the whole middleware stack made it (minus the headers
        ``mark_public`` sets), unless it turned personal on the way."""
        if (
            response.status_code != 200
            or response.cookies
            or response.streaming
            or "public" not in response.get("Cache-Control", "")
        ):
            return
        skip = {"etag", "cache-control"}
        headers = {name: value for name, value in response.items() if name.lower() not in skip}
        entry = (self.stamp, headers, response.content)
        cache.set(self.key, entry, PAGE_TIMEOUT)
        _remember(self.key, entry)


# The copies this process served last: a hit then reads only the versions from the
# shared cache (a few bytes, not the page). Emptied when full.
_recent_pages: dict[str, tuple] = {}
RECENT_PAGES = 200


def _remember(key: str, entry: tuple) -> None:
    if len(_recent_pages) >= RECENT_PAGES:
        _recent_pages.clear()
    _recent_pages[key] = entry


def look_up_page(request, policy: PagePolicy, kwargs: dict, language: str) -> PageLookup:
    """One cache round trip: the page's versions, the schedule and the stored copy (not
    the copy when this process holds it under the current versions)."""
    query_string = request.META.get("QUERY_STRING", "")
    query = kept_query(query_string, policy.params)
    version_keys = page_version_keys(kwargs.get(policy.plan) if policy.plan else None)
    path = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    key = f"page:{language}:{path}"
    recent = _recent_pages.get(key) if settings.PAGE_CACHE else None
    wanted = [*version_keys, SCHEDULE_KEY]
    if settings.PAGE_CACHE and recent is None:
        wanted.append(key)
    found = cache.get_many(wanted)
    stamps = _schedule_stamps(found.get(SCHEDULE_KEY))
    now = timezone.now()
    passed = bisect.bisect_right(stamps, now.timestamp())
    lifetime = stamps[passed] - now.timestamp() if passed < len(stamps) else None
    today = timezone.localdate(now).isoformat()  # pages say what is current, overdue, ended
    stamp = (*versions(version_keys, found), passed, today)
    etag = quote_etag(hashlib.sha256(f"{stamp}{key}".encode()).hexdigest()[:32])
    entry = found.get(key)
    if recent is not None:
        entry = recent if recent[0] == stamp else cache.get(key)  # another worker's, perhaps
    if entry is not None and entry[0] == stamp:
        _remember(key, entry)
    return PageLookup(key, stamp, etag, lifetime, entry, None if query == query_string else query)


@functools.lru_cache(maxsize=4096)
def kept_query(query_string: str, params: frozenset[str]) -> str:
    """The query string with only the parameters in ``params``, in a fixed order: one
    copy of a page whatever else a URL carries (random cache busters included).
    Remembered: parsing took a sixth of a search's cache hit, and popular searches
    come again."""
    if not query_string:
        return ""
    # WSGI hands the query string over as latin-1; its bytes are UTF-8 (or %-escaped).
    decoded = query_string.encode("iso-8859-1").decode("utf-8", "replace")
    pairs = parse_qsl(decoded, keep_blank_values=True, errors="replace")
    return urlencode(sorted((pair for pair in pairs if pair[0] in params), key=lambda p: p[0]))


def cache_public_page(view=None, *, params: Iterable[str] = (), plan: str | None = None):
    """Serve a public GET page from the cache; staff and other methods pass through.

    ``params`` are the query parameters the page reads (a page number, search
    terms, filters): only they vary the cached copy. Any other parameter is
    dropped before the view runs, so random query strings cannot bypass the
    cache or fill it. ``plan`` names the URL argument holding the slug of the
    plan the page shows: its copy then goes stale with that plan only; a page
    without one is a cross-plan listing, stale after a change in any plan.
    """
    if view is None:
        return functools.partial(cache_public_page, params=params, plan=plan)
    policy = PagePolicy(frozenset(params), plan)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        lookup = getattr(request, "page_lookup", None)
        if lookup is None:
            lookup = look_up_page(request, policy, kwargs, translation.get_language())
        response = lookup.response(request)
        if response is not None:
            return response
        lookup.prepare(request)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.cookies:
            return response
        if response.streaming:
            response = read_if_short(response)
        if response.streaming:  # read as it is sent (a big export): not kept here
            return mark_public(response, lookup.etag, lookup.lifetime)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if settings.PAGE_CACHE:
            request.page_to_store = lookup  # by PageCacheMiddleware, with its final headers
        return mark_public(response, lookup.etag, lookup.lifetime)

    wrapper.page_policy = policy
    return wrapper


# A streamed response (an export) that ends within this many bytes is kept like a page:
# most sections' exports are small, and served from the cache like the pages that link
# them; a longer one goes on streaming as it is read, never held whole.
SHORT_STREAM = 1024 * 1024


def read_if_short(response):
    """A plain copy of a streamed ``response`` that ends within ``SHORT_STREAM`` bytes;
    else the streamed response, sending the pieces read so far and then the rest."""
    pieces, size = [], 0
    stream = iter(response.streaming_content)
    for piece in stream:
        pieces.append(piece)
        size += len(piece)
        if size > SHORT_STREAM:
            response.streaming_content = itertools.chain(pieces, stream)
            return response
    # Not response.close(): it would signal the end of the request (closing the database
    # connection) while the request goes on; the stream is spent, nothing is left open.
    return HttpResponse(b"".join(pieces), status=response.status_code, headers=response.headers)


@functools.lru_cache(maxsize=8192)
def _cached_page_at(path_info: str) -> tuple[PagePolicy, dict, str] | None:
    """The page-cache policy of the view at ``path_info``, its URL arguments and language."""
    language = translation.get_language_from_path(path_info) or settings.LANGUAGE_CODE
    with translation.override(language):  # i18n_patterns resolve in the active language
        try:
            match = resolve(path_info)
        except Resolver404:
            return None
    policy = getattr(match.func, "page_policy", None)
    return (policy, match.kwargs, language) if policy else None


class PageCacheMiddleware:
    """Serve cached public pages before sessions, authentication and the view run, and
    store the pages ``cache_public_page`` rendered with the headers the rest of the
    stack added. A visitor with a session cookie (perhaps signed in) goes the long way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and (page := _cached_page_at(request.path_info)) is not None
        ):
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
            lookup = look_up_page(request, *page)
            response = lookup.response(request)
            if response is not None:
                return response
            request.page_lookup = lookup
        response = self.get_response(request)
        lookup = getattr(request, "page_to_store", None)
        if lookup is not None:
            lookup.store(response)
        return response


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
        user = getattr(request, "user", None)  # absent on static files and cached pages
        personal = bool(response.cookies) or (user is not None and user.is_authenticated)
        if not cache_control or ("public" in cache_control and personal):
            response["Cache-Control"] = "private, no-store"
            del response["ETag"]
        return response

    return middleware
