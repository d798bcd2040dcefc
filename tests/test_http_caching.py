"""HTTP caching: public pages tell front caches how long to keep them and answer
revalidations with 304; anything personal stays private."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bench.pages import page_urls
from projects.models import Project
from tests.consultations import demo_period

PRIVATE = "private, no-store"


def public_urls():
    urls = page_urls("kawasaki-2011")
    period = demo_period()
    return {
        **urls,
        "print page": urls["plan"] + "print/",
        "csv export": urls["plan"] + "export/csv/",
        "schedule": reverse("schedule:plan_schedule", args=["kawasaki-2011"]),
        "comment periods": reverse("consultations:periods"),
        "comment period": reverse("consultations:period", args=[period.pk]),
        "english plan": "/en" + urls["plan"],
    }


def directives(response) -> dict:
    parts = [part.strip() for part in response["Cache-Control"].split(",")]
    return dict(part.split("=", 1) if "=" in part else (part, True) for part in parts)


def test_public_pages_may_be_kept_by_browsers_and_front_caches(client, db, settings):
    settings.HTTP_MAX_AGE, settings.HTTP_SHARED_MAX_AGE = 60, 120
    settings.HTTP_STALE_WHILE_REVALIDATE = 30
    for name, url in public_urls().items():
        for _ in range(2):  # rendered, then from the page cache
            response = client.get(url)
            assert response.status_code == 200, name
            cache_control = directives(response)
            assert cache_control["public"] is True, name
            assert 0 < int(cache_control["max-age"]) <= 60, name
            assert 0 < int(cache_control["s-maxage"]) <= 120, name
            assert "stale-while-revalidate" in cache_control, name
            assert response["ETag"].startswith('"'), name


def test_a_matching_etag_gets_304_without_a_query(client, db, django_assert_num_queries):
    url = page_urls("kawasaki-2011")["plan"]
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert directives(response)["public"] is True


def test_an_edit_changes_the_etag(client, db):
    url = page_urls("kawasaki-2011")["project"]
    etag = client.get(url)["ETag"]
    project = Project.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    project.summary = "変更した概要"
    project.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "変更した概要" in response.content.decode()


def test_each_page_has_its_own_etag(client, db):
    urls = page_urls("kawasaki-2011")
    assert client.get(urls["plan"])["ETag"] != client.get(urls["home"])["ETag"]
    assert client.get(urls["plan"])["ETag"] != client.get("/en" + urls["plan"])["ETag"]


def test_pages_expire_when_a_comment_period_opens_or_closes(client, db, settings):
    settings.HTTP_MAX_AGE = settings.HTTP_SHARED_MAX_AGE = 3600
    period = demo_period()
    period.closes_at = timezone.now() + timedelta(seconds=100)
    period.save()
    for url in (reverse("consultations:period", args=[period.pk]), "/"):
        cache_control = directives(client.get(url))
        assert 0 < int(cache_control["max-age"]) <= 100
        assert 0 < int(cache_control["s-maxage"]) <= 100


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("consultations:comment", args=[demo_period().pk]),  # CSRF token
        lambda: reverse("consultations:done", args=[demo_period().pk]),  # receipt
        lambda: "/healthz",
        lambda: reverse("admin:index"),
    ],
    ids=["comment form", "receipt", "healthz", "admin"],
)
def test_personal_pages_are_private(client, db, url):
    response = client.get(url())
    cache_control = directives(response)
    assert cache_control["private"] is True and cache_control["no-store"] is True
    assert "ETag" not in response


def test_a_signed_in_user_gets_public_pages_privately(admin_client, db):
    for url in public_urls().values():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PRIVATE, url
        assert "ETag" not in response
        assert admin_client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 200


def test_static_files_keep_their_own_caching(client, db):
    response = client.get("/static/css/site.css")
    assert "public" in response["Cache-Control"]


def test_a_published_pdf_is_public_a_preview_or_a_pending_one_private(client, admin_client, db):
    from policies.models import PolicyNode

    measure = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")
    url = reverse("policies:node_pdf", args=["kawasaki-2011", measure.pk])
    public = client.get(url)
    assert public["Content-Type"] == "application/pdf"
    assert directives(public)["public"] is True and public["ETag"]
    assert admin_client.get(url)["Cache-Control"] == PRIVATE


def test_a_pdf_being_built_is_private(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = client.get(reverse("policies:plan_pdf", args=["kawasaki-2011"]))
    assert response.status_code == 202
    assert response["Cache-Control"] == PRIVATE
