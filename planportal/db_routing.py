"""Public reads from a database replica (``DATABASE_REPLICA_URL``), everything else
from the primary.

A request reads from the replica only when it cannot be hurt by replication lag:
a GET or HEAD by a visitor without a session (no staff, no comment writer) and not
pinned to the primary. A request that writes pins its client to the primary for
``REPLICA_PIN_SECONDS`` (a cookie), so it reads its own writes on the following
requests; within the request, every read after a write goes to the primary too.
For ``REPLICA_MAX_LAG`` seconds after a content change every page is read from
the primary, so that no page is cached from a replica that has not caught up.
Outside a request (workers, commands) everything uses the primary.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

from planportal.caching import content_changed_within

PRIMARY, REPLICA = "default", "replica"
PIN_COOKIE = "primary_pin"
SAFE_METHODS = ("GET", "HEAD")


@dataclass
class RoutingState:
    replica_allowed: bool
    wrote: bool = False


_state: ContextVar[RoutingState | None] = ContextVar("db_routing", default=None)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _state.get()
        if state is None or not state.replica_allowed:
            return PRIMARY
        if content_changed_within(settings.REPLICA_MAX_LAG):
            state.replica_allowed = False  # for the rest of this request
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _state.get()
        if state is not None:
            state.replica_allowed, state.wrote = False, True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica follows by replication


def replica_reads(get_response):
    """Middleware: decide for each request whether its reads may use the replica, and
    pin a client that wrote to the primary."""

    def middleware(request):
        anonymous = settings.SESSION_COOKIE_NAME not in request.COOKIES
        pinned = PIN_COOKIE in request.COOKIES
        state = RoutingState(request.method in SAFE_METHODS and anonymous and not pinned)
        token = _state.set(state)
        try:
            response = get_response(request)
        finally:
            _state.reset(token)
        if state.wrote:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return middleware
