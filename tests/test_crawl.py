"""Every page is reachable by links from / and answers 200: a crawl over the demo data.

The default crawl fetches one page of each URL shape in each language (every URL
pattern, every export format) and, for their links, every plan page (the whole
tree) and every node a project is listed under: every published node and project
is reached, and a page of every kind answers 200. The exhaustive crawl fetches
every page, every PDF included (``-m exhaustive``, CI's PostgreSQL pass).
"""

import pytest
from django.utils import translation

from policies.models import Plan, PolicyNode
from projects.models import Project, ProjectListing
from tests.crawling import crawl, every_kind_of_page, pages_linked_only_with_content

# Pages no link leads to (beside /healthz): the receipt after sending a comment
# (a redirect), and the results of a comment period still open.
UNLINKED = ("consultations:done", "consultations:results")


def both_languages(paths):
    return {path for url in paths for path in (url, "/en" + url)}


def assert_every_page_reached(links):
    translation.activate("ja")
    for node in PolicyNode.objects.published():
        assert node.get_absolute_url() in links, node
        assert "/en" + node.get_absolute_url() in links, node
    for project in Project.objects.published():
        assert project.get_absolute_url() in links, project


def test_a_page_of_every_kind_answers_200_in_both_languages_and_every_page_is_reached(client, db):
    translation.activate("ja")
    listings = ProjectListing.objects.filter(project__in=Project.objects.published())
    hubs = both_languages(
        [plan.get_absolute_url() for plan in Plan.objects.published()]
        + [listing.node.get_absolute_url() for listing in listings.select_related("node__plan")]
    )
    result = crawl(client, ["/", *pages_linked_only_with_content()], also=hubs.__contains__)
    assert result.failures() == {}
    assert hubs <= set(result.status)
    assert every_kind_of_page(unlinked=UNLINKED) - result.patterns() == set()
    assert_every_page_reached(result.links)


@pytest.mark.exhaustive
def test_every_link_from_home_answers_200_and_reaches_every_page(client, db):
    result = crawl(client, every_page=True)
    assert result.failures() == {}
    assert_every_page_reached(result.links)
