"""Public reads from a replica: who reads where, and the pin after a write."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.http import HttpResponse

from planportal.caching import bump_content_version
from planportal.db_routing import (
    PIN_COOKIE,
    PRIMARY,
    REPLICA,
    PrimaryReplicaRouter,
    replica_reads,
)
from projects.models import Project

router = PrimaryReplicaRouter()


def serve(request, *, write=False):
    """Run ``request`` through the middleware; where its reads went (before and after
    an optional write) and the response."""
    seen = []

    def view(request):
        seen.append(router.db_for_read(Project))
        if write:
            assert router.db_for_write(Project) == PRIMARY
            seen.append(router.db_for_read(Project))
        return HttpResponse("ok")

    response = replica_reads(view)(request)
    return seen, response


@pytest.fixture(autouse=True)
def replica_settings(settings):
    settings.REPLICA_PIN_SECONDS, settings.REPLICA_MAX_LAG = 15, 5


def test_an_anonymous_visitors_page_reads_the_replica(rf):
    seen, response = serve(rf.get("/plans/kawasaki/"))
    assert seen == [REPLICA]
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize(
    "request_for",
    [
        lambda rf: rf.post("/public-comments/1/form/"),
        lambda rf: rf.get("/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc"),
        lambda rf: rf.get("/", HTTP_COOKIE=f"{PIN_COOKIE}=1"),
    ],
    ids=["a form sent", "a session (staff, comment writer)", "pinned after a write"],
)
def test_these_read_the_primary(rf, request_for):
    assert serve(request_for(rf))[0] == [PRIMARY]


def test_a_write_pins_the_client_to_the_primary(rf):
    seen, response = serve(rf.get("/"), write=True)
    assert seen == [REPLICA, PRIMARY]  # after the write, this request reads the primary too
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == 15 and pin["httponly"]
    assert serve(rf.get("/", HTTP_COOKIE=f"{PIN_COOKIE}=1"))[0] == [PRIMARY]


def test_outside_a_request_everything_uses_the_primary():
    assert router.db_for_read(Project) == PRIMARY
    assert router.db_for_write(Project) == PRIMARY


def test_right_after_a_content_change_pages_read_the_primary(rf, settings, db):
    bump_content_version()  # a staff save
    assert serve(rf.get("/"))[0] == [PRIMARY]
    settings.REPLICA_MAX_LAG = 0
    assert serve(rf.get("/"))[0] == [REPLICA]


def test_only_the_primary_is_migrated():
    assert router.allow_migrate(PRIMARY, "projects")
    assert not router.allow_migrate(REPLICA, "projects")


def test_a_replica_url_adds_the_replica_its_router_and_middleware():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env["DATABASE_REPLICA_URL"] = "postgres://reader@replica.example:5432/plans"
    code = (
        "import planportal.settings as s; print(s.DATABASES['replica']['HOST'], "
        "s.DATABASE_ROUTERS, 'planportal.db_routing.replica_reads' in s.MIDDLEWARE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == [
        "replica.example",
        "['planportal.db_routing.PrimaryReplicaRouter']",
        "True",
    ]
