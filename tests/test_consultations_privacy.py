"""No public page ever shows who sent a comment: crawl the whole public site and look."""

import html
import re
from collections import deque

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import Comment, CommentTopic
from tests.consultations import close, demo_node, demo_period, form_data, submit

pytestmark = pytest.mark.django_db

NAMES = ["公開禁止 一郎", "Secret Smith"]
EMAILS = ["ichiro.private@example.jp", "smith.private@example.org"]
LINK = re.compile(r'href="(/[^"#]*)')


def crawl(client, start_urls, within=("/",)) -> dict[str, str]:
    """Every public page under ``within`` reachable by links from ``start_urls``: path → HTML."""
    seen, pages, queue = set(start_urls), {}, deque(start_urls)
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code in (200, 302, 404), f"{url} answered {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages[url] = content = response.content.decode()
        for link in LINK.findall(content):
            link = html.unescape(link)
            if link in seen or link.startswith(("/admin/", "/static/")):
                continue
            if not link.startswith(within):
                continue
            seen.add(link)
            queue.append(link)
    return pages


def assert_nothing_personal(pages):
    leaks = [
        (url, secret)
        for url, content in pages.items()
        for secret in [*NAMES, *EMAILS]
        if secret in content
    ]
    assert not leaks


def test_no_public_page_shows_a_name_or_an_address(client):
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
    pages = crawl(
        client,
        [period.plan.get_absolute_url(), reverse("consultations:done", args=[period.pk])],
        within=(period.plan.get_absolute_url(), "/public-comments/", "/en/public-comments/"),
    )
    assert reverse("consultations:comment", args=[period.pk]) in pages
    assert any("/form/done/" in url for url in pages)
    assert_nothing_personal(pages)

    close(period)
    period.results_published = True
    period.save()
    # Once the answers are published: the whole site, in both languages.
    pages = crawl(Client(), ["/", "/en/"])
    assert len(pages) > 500
    results = pages[reverse("consultations:results", args=[period.pk])]
    assert "単独で公表" in results and "論点の概要" in results and "公表しない" not in results
    assert_nothing_personal(pages)
