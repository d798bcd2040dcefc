"""The page cache against abuse: only the query parameters a page reads vary its copy."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.pages import page_urls

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
