"""Crawling the public site by its links: every page, or one page of each URL shape.

A page's *shape* is its language, its URL pattern, the format it is written in
(``fmt``) and the names of its query parameters. A sampled crawl follows every
link it finds but fetches only the first page of each shape, plus the pages a
test names (``also``): those whose links it needs, or that could show what the
test looks for. The exhaustive crawl (``every_page=True``) fetches every page;
the tests that use it are marked ``exhaustive`` and run in CI's PostgreSQL pass.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urldefrag

from django.contrib import admin
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from policies.models import SDGGoal, Strategy
from projects.models import Project
from schedule.models import Milestone

LINK = re.compile(r'href="(/[^"]*)"')
SKIP = ("/admin/", "/static/")
SHAPE_ARGUMENTS = ("fmt",)  # URL arguments that choose another renderer, not another object

Shape = tuple[str, str, tuple, tuple]


def language_of(path: str) -> str:
    return "en" if path == "/en" or path.startswith("/en/") else "ja"


def shape_of(url: str) -> Shape | None:
    """The shape of a URL, or None when no URL pattern matches it."""
    path, _, query = url.partition("?")
    language = language_of(path)
    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            return None
    chosen = tuple(match.kwargs.get(name) for name in SHAPE_ARGUMENTS)
    return (language, match.view_name, chosen, tuple(sorted(parse_qs(query))))


@dataclass
class Crawl:
    """What a crawl fetched: status by URL, HTML by URL, and every link it saw."""

    status: dict[str, int] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    links: set[str] = field(default_factory=set)
    shapes: dict[Shape, str] = field(default_factory=dict)  # shape → the URL fetched for it

    def failures(self, allowed=(200,)) -> dict[str, int]:
        return {url: code for url, code in self.status.items() if code not in allowed}

    def patterns(self) -> set[tuple[str, str]]:
        """(language, URL pattern name) of every page fetched."""
        return {(language, name) for language, name, _, _ in self.shapes}


# Every node and project links its evaluation sheet's PDF, and the bound sheets of the
# node or of the project's bureau; rendering hundreds of them adds minutes and nothing
# new (tests/test_evaluation_sheets.py and tests/test_sheet_book.py read them back):
# even an exhaustive crawl fetches one of each shape.
SAMPLED_ALWAYS = ("/sheet.pdf", "/sheets.pdf", "/sheets.xlsx")


def crawl(
    client,
    start: Iterable[str] = ("/",),
    *,
    within: tuple[str, ...] = ("/",),
    every_page: bool = False,
    also: Callable[[str], bool] = lambda url: False,
) -> Crawl:
    """Follow links from ``start`` to pages under ``within``: breadth first, except that
    the pages ``also`` names are fetched as soon as they are found."""
    result = Crawl()
    queue = deque(start)
    result.links.update(queue)
    while queue:
        url = queue.popleft()
        shape = shape_of(url)
        exhaustive = every_page and not url.endswith(SAMPLED_ALWAYS)
        if not (exhaustive or shape is None or shape not in result.shapes or also(url)):
            continue
        response = client.get(url)
        result.status[url] = response.status_code
        if shape is not None:
            result.shapes.setdefault(shape, url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        result.pages[url] = content = response.content.decode()
        for href in LINK.findall(content):
            link = urldefrag(html.unescape(href))[0]
            if link in result.links or link.startswith(SKIP) or not link.startswith(within):
                continue
            result.links.add(link)
            if also(link):
                queue.appendleft(link)  # so that samples come from these pages first
            else:
                queue.append(link)
    return result


def public_patterns(patterns=None, namespace=""):
    """(name, argument names) of every URL pattern outside the admin."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == admin.site.name:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"name the URL pattern {entry.pattern} so the crawls can reach it"
            yield namespace + entry.name, list(entry.pattern.regex.groupindex)


def every_kind_of_page(*, unlinked=()) -> set[tuple[str, str]]:
    """(language, URL pattern name) of every public page but those no link leads to."""
    return {
        (language, name)
        for name, _arguments in public_patterns()
        if name not in {"healthz", "favicon", *unlinked}  # favicon: a redirect to a static file
        for language in ("ja", "en")
    }


def pages_linked_only_with_content() -> list[str]:
    """One page of each kind that the site links only where it leads to content (a
    strategy, an SDG goal, a plan's policy × SDG matrix, a drafting schedule's
    calendar, a bureau's bound sheets): the demo's strategies and goals have none, a
    sampled crawl may sample a schedule without milestones or a project without a
    bureau, so a crawl starts from these, in both languages."""
    with_bureau = Project.objects.published().exclude(bureau=None).select_related("plan").first()
    strategy = Strategy.objects.select_related("plan").filter(plan__status="published").first()
    milestone = Milestone.objects.published().select_related("plan").first()
    urls = [
        reverse("policies:strategy", args=[strategy.plan.slug, strategy.pk]),
        reverse("policies:sdg_goal", args=[SDGGoal.objects.order_by("number").first().number]),
        reverse("policies:sdg_matrix", args=[strategy.plan.slug]),
        reverse("schedule:plan_calendar", args=[milestone.plan.slug]),
        with_bureau.get_absolute_url(),
    ]
    return [path for url in urls for path in (url, "/en" + url)]
