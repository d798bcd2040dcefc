"""Shared fixtures: the demo data loaded once per test session, and small builders."""

import pytest
from django.contrib.auth import get_user_model

from consultations.demo import demo_period_ensure
from planportal.publication import PublicationStatus
from policies.models import Municipality, Plan, PlanLevel
from projects.seeds import load_demo
from tests.browser import browser, demo_server, page  # noqa: F401  (fixtures)
from tests.staff_users import client_for, make_staff  # noqa: F401  (fixtures)


def pytest_configure(config):
    """Serve static files from the app folders: tests do not run collectstatic."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from the seeded demo data (and rolls back)."""
    with django_db_blocker.unblock():
        load_demo()
        demo_period_ensure()


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
