"""No public page ever shows who sent a comment: crawl the public site and look.

The crawl fetches every public-comment page and one page of each other kind in each
language; the exhaustive variant (``-m exhaustive``) fetches every page.
"""

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import Comment, CommentTopic
from tests.consultations import close, demo_node, demo_period, form_data, submit
from tests.crawling import crawl, every_kind_of_page, pages_linked_only_with_content, shape_of

pytestmark = pytest.mark.django_db

NAMES = ["公開禁止 一郎", "Secret Smith"]
EMAILS = ["ichiro.private@example.jp", "smith.private@example.org"]
ANSWERS = (200, 302, 404)  # what a crawled page may answer


def consultation_page(url: str) -> bool:
    """The pages that show comments: every one is fetched, whatever the crawl samples."""
    shape = shape_of(url)
    return shape is not None and shape[1].startswith("consultations:")


def assert_nothing_personal(pages):
    leaks = [
        (url, secret)
        for url, content in pages.items()
        for secret in [*NAMES, *EMAILS]
        if secret in content
    ]
    assert not leaks


@pytest.mark.parametrize("every_page", [False, pytest.param(True, marks=pytest.mark.exhaustive)])
def test_no_public_page_shows_a_name_or_an_address(client, every_page):
    period, section = demo_period(), demo_node()
    # One comment through the form, so that its receipt page is crawled too.
    client.post(
        reverse("consultations:comment", args=[period.pk]),
        form_data(section, step="submit", name=NAMES[0], email=EMAILS[0], text="フォームから"),
    )
    others = [
        submit(period, section, name=NAMES[1], email=EMAILS[1], text="単独で公表"),
        submit(period, None, name=NAMES[0], email=EMAILS[1], text="論点にまとめる"),
        submit(period, section, name=NAMES[1], email=EMAILS[0], text="公表しない"),
    ]
    topic = CommentTopic.objects.create(period=period, summary="論点の概要", answer="論点の答え")
    Comment.objects.filter(text__in=["フォームから", "単独で公表"]).update(
        status="publish", answer="市の考え方"
    )
    Comment.objects.filter(pk=others[1].pk).update(status="publish", topic=topic)
    Comment.objects.filter(pk=others[2].pk).update(status="withhold")

    # While the period is open: the pages of the draft and of public comment.
    draft = crawl(
        client,
        [period.plan.get_absolute_url(), reverse("consultations:done", args=[period.pk])],
        within=(period.plan.get_absolute_url(), "/public-comments/", "/en/public-comments/"),
        every_page=every_page,
        also=consultation_page,
    )
    assert draft.failures(allowed=ANSWERS) == {}
    assert reverse("consultations:comment", args=[period.pk]) in draft.pages
    assert any("/form/done/" in url for url in draft.pages)
    assert_nothing_personal(draft.pages)

    close(period)
    period.results_published = True
    period.save()
    # Once the answers are published: the whole site, in both languages.
    site = crawl(
        Client(),
        ["/", "/en/", *pages_linked_only_with_content()],
        every_page=every_page,
        also=consultation_page,
    )
    assert site.failures(allowed=ANSWERS) == {}
    if every_page:
        assert len(site.pages) > 500
    else:  # every kind of page, in both languages (the receipt is reached by a redirect)
        seen = draft.patterns() | site.patterns()
        assert every_kind_of_page(unlinked=["consultations:done"]) - seen == set()
    results = site.pages[reverse("consultations:results", args=[period.pk])]
    assert "単独で公表" in results and "論点の概要" in results and "公表しない" not in results
    assert_nothing_personal(site.pages)
