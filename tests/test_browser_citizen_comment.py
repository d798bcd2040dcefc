"""Issue 14 in Chromium: the way to comment within a phone's first screen, timelines and the
policy × SDG matrix as lists on phones (tables on desktops and paper), Japanese content
marked on English comment and print pages, axe on the page types changed."""

import pytest
from django.urls import reverse

from policies.models import PolicyNode, Ward
from projects.models import Project
from tests.browser import (
    DESKTOP,
    NARROW_PHONE,
    PHONE,
    VIEWPORTS,
    axe_violations,
    describe,
    overflowing_elements,
    small_tap_targets,
)
from tests.consultations import demo_node, demo_period
from tests.test_browser_citizen import _UNMARKED_JAPANESE

pytestmark = pytest.mark.browser

WIDE_TABLES = {  # page: the wide table's wrapper and the list that replaces it on phones
    "home": ("/", ".timeline-wide", ".timeline-list"),
    "plan": ("/plans/kawasaki/", ".timeline-wide", ".timeline-list"),
    "schedule": ("/plans/kawasaki/schedule/", ".timeline-wide", ".timeline-list"),
    "sdg matrix": ("/plans/kawasaki-2011/sdgs/", ".matrix-wide", ".matrix-list"),
}

_SCROLLING_BLOCKS = """() => [...document.querySelectorAll('.table-scroll')]
  .filter((block) => block.getClientRects().length && block.scrollWidth > block.clientWidth + 1)
  .map((block) => `${block.className}: ${block.scrollWidth}px`)"""


def comment_pages() -> dict[str, str]:
    period = demo_period()
    return {
        "periods": reverse("consultations:periods"),
        "period": period.get_absolute_url(),
        "form": reverse("consultations:comment", args=[period.pk]),
        "draft": period.plan.get_absolute_url(),
        "ward with suggestions": Ward.objects.get(slug="miyamae-ku").get_absolute_url(),
    }


def with_paper_ways():
    period = demo_period()
    period.postal_address = "〒000-0000\n（架空の宛先）企画課"
    period.fax_number = "000-000-0000"
    period.offline_deadline = "最終日の消印有効"
    period.save()
    return period


def test_the_comment_button_is_in_a_phones_first_screen(demo_server, page):
    period = with_paper_ways()
    for viewport in (PHONE, NARROW_PHONE):
        page.set_viewport_size(viewport)
        for path in (period.get_absolute_url(), period.plan.get_absolute_url()):
            page.goto(demo_server.url + path)
            button = page.get_by_role("link", name="この素案に意見を出す").first
            box = button.bounding_box()
            assert box["y"] + box["height"] <= viewport["height"], (path, viewport, box)
    page.set_viewport_size(PHONE)
    page.goto(demo_server.url + "/")
    deadline = page.locator(".open-periods .deadline").first
    assert deadline.inner_text().startswith(f"あと{period.days_left()}日")
    box = deadline.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]


def test_timelines_and_the_sdg_matrix_are_lists_on_phones_and_tables_elsewhere(demo_server, page):
    failures = {}
    for name, (path, table, listing) in WIDE_TABLES.items():
        for viewport in (PHONE, NARROW_PHONE):
            page.set_viewport_size(viewport)
            page.goto(demo_server.url + path)
            if scrolling := page.evaluate(_SCROLLING_BLOCKS):
                failures[f"{name} @{viewport['width']}"] = scrolling
            assert page.locator(listing).first.is_visible(), (name, viewport)
            assert not page.locator(table).first.is_visible(), (name, viewport)
        page.set_viewport_size(DESKTOP)
        assert (
            page.locator(table).first.is_visible() and not page.locator(listing).first.is_visible()
        )
        page.set_viewport_size(PHONE)
        page.emulate_media(media="print")
        assert page.locator(table).first.is_visible(), f"{name} prints its table"
        assert not page.locator(listing).first.is_visible()
        page.emulate_media(media="screen")
    assert not failures, failures


def test_the_phone_lists_mark_the_running_periods_and_name_the_goals(demo_server, page):
    page.set_viewport_size(NARROW_PHONE)
    page.goto(demo_server.url + "/plans/kawasaki/schedule/")
    current = page.locator(".timeline-list li.is-current")
    assert current.count() >= 1 and "今年度を含む" in current.first.inner_text()
    page.goto(demo_server.url + "/plans/kawasaki-2011/sdgs/")
    first = PolicyNode.objects.filter(plan__slug="kawasaki-2011", parent=None).first()
    assert first.title in page.locator(".matrix-list dt").first.inner_text()


def test_changed_pages_fit_are_easy_to_tap_pass_axe_and_mark_japanese_in_english(demo_server, page):
    with_paper_ways()
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    pages = comment_pages() | {name: path for name, (path, _t, _l) in WIDE_TABLES.items()}
    pages["english home"] = "/en/"  # English titles are longer
    failures = {}
    for name, path in pages.items():
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            page.goto(demo_server.url + path)
            if found := overflowing_elements(page):
                failures[f"{name} @{viewport['width']} overflows"] = found
            if found := small_tap_targets(page):
                failures[f"{name} @{viewport['width']} small targets"] = found
            if violations := axe_violations(page):
                failures[f"{name} @{viewport['width']}"] = describe(violations)
    english = {name: path for name, path in pages.items() if not path.startswith("/en/")}
    english["results"] = reverse("consultations:results", args=[demo_period().pk])
    english |= {
        "plan print": "/plans/kawasaki-2011/print/",
        "node print": node.get_absolute_url() + "print/",
        "project sheet": project.get_absolute_url() + "sheet/",
        "node sheet": node.get_absolute_url() + "sheet/",
        "draft section": demo_node().get_children().first().get_absolute_url(),  # 第4章 above
    }
    page.set_viewport_size(PHONE)
    for name, path in english.items():
        page.goto(demo_server.url + "/en" + path)
        if found := page.evaluate(_UNMARKED_JAPANESE):
            failures[f"english {name}: Japanese without lang=ja"] = found
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
