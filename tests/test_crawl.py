"""Every page is reachable by links from / and answers 200: a crawl over the demo data."""

import html
import re
from urllib.parse import urldefrag

from django.utils import translation

from policies.models import PolicyNode
from projects.models import Project

HREF = re.compile(r'href="([^"]+)"')
SKIP = ("/admin/", "/static/")
# Every node and project links its evaluation sheet's PDF; rendering hundreds of
# them adds minutes and nothing new (tests/test_evaluation_sheets.py reads them back).
SKIP_ENDINGS = ("/sheet.pdf",)


def crawl(client, start="/"):
    seen, queue, failures = {start}, [start], {}
    while queue:
        url = queue.pop()
        response = client.get(url)
        if response.status_code != 200:
            failures[url] = response.status_code
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            link = urldefrag(html.unescape(href))[0]
            if (
                link.startswith("/")
                and not link.startswith(SKIP)
                and not link.endswith(SKIP_ENDINGS)
                and link not in seen
            ):
                seen.add(link)
                queue.append(link)
    return seen, failures


def test_every_link_from_home_answers_200_and_reaches_every_page(client, db):
    seen, failures = crawl(client)
    assert failures == {}
    translation.activate("ja")
    for node in PolicyNode.objects.published():
        assert node.get_absolute_url() in seen, node
        assert "/en" + node.get_absolute_url() in seen, node
    for project in Project.objects.published():
        assert project.get_absolute_url() in seen, project
