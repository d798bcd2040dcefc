"""The page cache: only the query parameters a page reads vary its copy; a hit is served
early; a change stales the pages and PDFs that show it, and no others."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.pages import page_urls
from planportal import caching
from planportal.caching import (
    bulk_changes_of,
    bump_plan_on_commit,
    node_key,
    page_version_keys,
    versions,
)
from policies.models import Plan, PolicyNode
from projects import printing
from projects.models import Project, ProjectListing

SLUG = "kawasaki-2011"


@pytest.fixture
def urls(db):
    return page_urls(SLUG)


@pytest.mark.parametrize("kind", ["home", "plan", "measure", "project", "ward", "search"])
def test_unknown_query_parameters_are_served_from_the_same_copy(
    client, urls, kind, django_assert_num_queries
):
    url = urls[kind]
    joiner = "&" if "?" in url else "?"
    first = client.get(f"{url}{joiner}cachebuster=1")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(f"{url}{joiner}cachebuster=2&utm_source=x")
    assert second.content == first.content
    assert b"cachebuster" not in first.content  # not echoed in links (language switch)


def test_the_parameters_a_page_reads_still_vary_it(client, urls):
    client.get(urls["measure"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(urls["measure"] + "?page=2").status_code == 200
    assert queries.captured_queries  # a copy of its own, rendered now
    parks = client.get("/search/?q=公園").content.decode()
    roads = client.get("/search/?q=道路").content.decode()
    assert 'value="公園"' in parks and 'value="道路"' in roads


def test_the_order_of_parameters_does_not_make_a_new_copy(client, db, django_assert_num_queries):
    assert client.get(f"/search/?q=公園&plan={SLUG}").status_code == 200
    with django_assert_num_queries(0):
        assert client.get(f"/search/?plan={SLUG}&junk=1&q=公園").status_code == 200


def test_staff_see_the_page_uncached_with_their_query(admin_client, urls):
    response = admin_client.get(urls["plan"] + "?anything=kept")
    assert response.status_code == 200
    assert response.wsgi_request.GET["anything"] == "kept"


def test_page_cache_off_renders_every_time_and_keeps_the_headers(client, urls, settings):
    settings.PAGE_CACHE = False
    client.get(urls["plan"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(urls["plan"])
    assert queries.captured_queries
    assert "public" in response["Cache-Control"]


# --- invalidation by what changed ---------------------------------------------------

OTHER = "zushi"  # another plan, of another municipality
PLAN_PAGES = ["plan", "basic policy", "measure", "project"]


def project_of(url: str) -> Project:
    return Project.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))


def served_from_cache(client, url, etag, django_assert_num_queries) -> bool:
    """Whether ``url`` still answers ``etag`` with 304 and its copy without a query."""
    with django_assert_num_queries(0):
        revalidated = client.get(url, HTTP_IF_NONE_MATCH=etag)
        again = client.get(url)
    return revalidated.status_code == 304 and again.status_code == 200 and again["ETag"] == etag


def test_a_save_in_one_plan_leaves_another_plans_pages_cached(
    client, urls, django_assert_num_queries
):
    plan = Plan.objects.get(slug=OTHER)
    other = {
        "plan": plan.get_absolute_url(),
        "basic policy": plan.nodes.filter(parent=None).first().get_absolute_url(),
        "measure": plan.nodes.filter(children=None).first().get_absolute_url(),
        "print": reverse("policies:plan_print", args=[OTHER]),
    }
    etags = {kind: client.get(url)["ETag"] for kind, url in other.items()}
    project = project_of(urls["project"])
    project.summary = "別の計画での変更"
    project.save()
    for kind, url in other.items():
        assert served_from_cache(client, url, etags[kind], django_assert_num_queries), kind


def test_a_save_in_a_plan_stales_its_pages_and_the_listings(client, urls):
    kinds = [*PLAN_PAGES, "home", "search", "wards", "sdgs"]
    etags = {kind: client.get(urls[kind])["ETag"] for kind in kinds}
    project = project_of(urls["project"])
    project.name = "名前を変えた事業"
    project.save()
    for kind in kinds:
        response = client.get(urls[kind], HTTP_IF_NONE_MATCH=etags[kind])
        assert response.status_code == 200 and response["ETag"] != etags[kind], kind
    assert "名前を変えた事業" in client.get(urls["project"]).content.decode()


def test_a_hit_is_served_before_sessions_and_the_view(client, urls):
    first = client.get(urls["search"])
    hit = client.get(urls["search"])
    assert not hasattr(hit.wsgi_request, "user")  # authentication never ran
    assert hit.content == first.content
    for header in ("Content-Type", "Content-Language", "Vary", "X-Frame-Options", "ETag"):
        assert hit[header] == first[header], header
    assert "Accept-Language" in hit["Vary"]


def test_a_short_export_is_kept_like_a_page(client, db, django_assert_num_queries):
    url = reverse("policies:plan_export", args=[SLUG, "csv"])
    first = client.get(url)
    assert not first.streaming  # read whole: it ended within SHORT_STREAM
    with django_assert_num_queries(0):
        hit = client.get(url)
    assert hit.content == first.content
    assert hit["Content-Disposition"] == first["Content-Disposition"]
    assert hit["Content-Type"].startswith("text/csv")


def test_a_long_export_streams_and_is_not_kept(client, db, monkeypatch):
    monkeypatch.setattr(caching, "SHORT_STREAM", 100)
    url = reverse("policies:plan_export", args=[SLUG, "csv"])
    first = client.get(url)
    assert first.streaming
    body = first.getvalue()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
        assert again.getvalue() == body and len(body) > 100  # every piece, in order
    assert queries.captured_queries  # rendered again, not served from a copy


def test_a_session_cookie_takes_the_long_way_but_still_gets_the_copy(client, urls):
    first = client.get(urls["plan"])
    session = SessionStore()
    session["seen"] = True  # an anonymous visitor's session (say, a comment form's)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    again = client.get(urls["plan"])
    assert hasattr(again.wsgi_request, "user") and not again.wsgi_request.user.is_authenticated
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_bulk_writes_bump_their_plan_once_at_commit(db, urls, django_capture_on_commit_callbacks):
    slug = SLUG
    keys = page_version_keys(slug)
    before = versions(keys)
    other = versions(page_version_keys(OTHER))
    project = project_of(urls["project"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for name in ("一括1", "一括2"):
            with bulk_changes_of(slug):
                project.name = name
                project.save()
        bump_plan_on_commit(slug)
        assert versions(keys) == before  # nothing before the commit
    assert len(callbacks) == 1  # deduplicated
    assert versions(keys) != before and versions(page_version_keys(OTHER)) == other


# --- section PDFs ----------------------------------------------------------------------


def two_sections(plan) -> tuple[PolicyNode, PolicyNode]:
    """Two nodes with listings, neither below the other."""
    listed = plan.nodes.filter(listings__isnull=False).distinct().order_by("tree_id", "lft")
    first = listed.first()
    return first, listed.exclude(pk__in=first.get_descendants(include_self=True)).first()


def test_a_pdf_goes_stale_with_its_section_only(client, db):
    plan = Plan.objects.get(slug=SLUG)
    measure, sibling = two_sections(plan)
    other = Plan.objects.get(slug=OTHER)
    other_root = other.nodes.filter(parent=None).first()

    def job(node, of=plan):
        return printing.PdfJob(
            of.pk, node.pk if node else None, False, "ja", "http://testserver/", of.slug
        )

    def build_all():
        for node, of in ((measure, plan), (sibling, plan), (None, plan), (other_root, other)):
            url = (
                reverse("policies:node_pdf", args=[of.slug, node.pk])
                if node
                else reverse("policies:plan_pdf", args=[of.slug])
            )
            assert client.get(url)["Content-Type"] == "application/pdf"

    build_all()
    sibling_etag = printing.pdf_etag(job(sibling))
    project = Project.objects.under(measure).exclude(pk__in=Project.objects.under(sibling)).first()
    project.summary = "この施策だけの変更"
    project.save()
    assert printing.cached_pdf(job(measure)) is None
    assert printing.cached_pdf(job(None)) is None  # the whole plan prints it too
    assert printing.cached_pdf(job(sibling)) is not None
    assert printing.pdf_etag(job(sibling)) == sibling_etag
    assert printing.cached_pdf(job(other_root, other)) is not None

    build_all()
    level = plan.levels.first()  # printed in every section: the plan's head
    level.save()
    assert printing.cached_pdf(job(sibling)) is None
    assert printing.cached_pdf(job(other_root, other)) is not None


def test_moving_a_listing_stales_the_section_it_left(client, db):
    measure, sibling = two_sections(Plan.objects.get(slug=SLUG))
    keys = {node.pk: node_key(node.pk) for node in (measure, sibling)}
    before = dict(zip(keys, versions(list(keys.values())), strict=True))
    listing = ProjectListing.objects.filter(node=sibling).first()
    listing.node = measure
    listing.save()
    after = dict(zip(keys, versions(list(keys.values())), strict=True))
    assert after[measure.pk] != before[measure.pk] and after[sibling.pk] != before[sibling.pk]


def test_a_hit_still_checks_the_host(client, urls):
    assert client.get(urls["plan"]).status_code == 200
    assert client.get(urls["plan"], HTTP_HOST="attacker.example").status_code == 400
