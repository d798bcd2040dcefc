"""Shared fixtures: the demo data loaded once per test session, PDFs rendered once per
session, and small builders."""

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from consultations.demo import demo_period_ensure
from planportal.publication import PublicationStatus
from policies.models import Municipality, Plan, PlanLevel
from projects.seeds import load_demo
from tests.browser import browser, demo_data, demo_server, page  # noqa: F401  (fixtures)
from tests.redis_cache import redis_cache, redis_down  # noqa: F401  (fixtures)
from tests.rounds_data import (  # noqa: F401  (fixtures)
    city_plan,
    city_round,
    construction_editor,
    environment_editor,
    planner,
)
from tests.staff_users import client_for, make_staff  # noqa: F401  (fixtures)


def pytest_configure(config):
    """Serve static files from the app folders (tests do not run collectstatic), cache in
    memory, hash test passwords fast."""
    from django.conf import settings
    from django.core.signals import setting_changed

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Staff accounts are made in most tests; PBKDF2 is slow on purpose (a second each).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Jobs run as they are enqueued, in the test's thread and transaction; the database
    # queue and its worker are tested in tests/test_task_queue.py.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The admin's autodiscovery imported the jobs, and with them the configured backend:
    # tell django-tasks that its setting changed.
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached pages must not leak from one test (and its rolled-back data) to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """A request to an /en/ page leaves English active in the test's thread (LocaleMiddleware
    activates, nothing deactivates): every test starts in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def pdfs_rendered_once():
    """WeasyPrint turns each distinct print page into a PDF once per session: the tests
    that fetch the same PDF (crawls, printing tests) share it. Everything else (views,
    the PDF cache, the font check, the print page itself) still runs on every request."""
    from projects import printing

    render, rendered = printing.html_to_pdf, {}

    def render_once(html: str, base_url: str, stylesheets=printing.STYLESHEETS) -> bytes:
        key = hashlib.sha256(f"{base_url}\n{stylesheets}\n{html}".encode()).hexdigest()
        if key not in rendered:
            rendered[key] = render(html, base_url, stylesheets)
        return rendered[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(printing, "html_to_pdf", render_once)
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from the seeded demo data (and rolls back).

    Its value is a snapshot of that data, for the transactional tests (live servers):
    they flush the database when they end, and ``demo_server`` restores the snapshot,
    which is much faster than loading the seeds again."""
    with django_db_blocker.unblock():
        load_demo()
        demo_period_ensure()
        return connection.creation.serialize_db_to_string()


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("chief", "chief@example.org", "unused-pw-1")


@pytest.fixture
def admin_client(superuser):
    """A separate, signed-in client: the plain ``client`` stays anonymous."""
    from django.test import Client

    staff = Client()
    staff.force_login(superuser)
    return staff


@pytest.fixture
def make_plan(db):
    """Build a small plan of one's own, beside the demo plans."""

    def build(
        slug="test-plan", *, start=2022, end=2025, levels=("基本政策", "政策", "施策"), **fields
    ):
        municipality, _ = Municipality.objects.get_or_create(slug="testcity", name="テスト市")
        plan = Plan.objects.create(
            municipality=municipality,
            slug=slug,
            kind=Plan.Kind.COMPREHENSIVE,
            title=fields.pop("title", f"{slug} の計画"),
            start_fiscal_year=start,
            end_fiscal_year=end,
            status=fields.pop("status", PublicationStatus.PUBLISHED),
            **fields,
        )
        for depth, name in enumerate(levels):
            PlanLevel.objects.create(plan=plan, depth=depth, name=name)
        return plan

    return build
