"""The citizen site as residents use it: phones down to 320 px, keyboard, English pages."""

import pytest

from projects.models import Project
from tests.browser import (
    DESKTOP,
    NARROW_PHONE,
    PHONE,
    VIEWPORTS,
    axe_violations,
    describe,
    overflowing_elements,
)
from tests.test_browser_public import page_types

pytestmark = pytest.mark.browser


def test_nothing_is_wider_than_the_screen_outside_a_scrollable_block(demo_server, page):
    failures = {}
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        for name, path in page_types().items():
            page.goto(demo_server.url + path)
            if found := overflowing_elements(page):
                failures[f"{name} @{viewport['width']}"] = found
    assert not failures, failures


def test_target_tables_become_a_list_of_years_on_a_phone(demo_server, page):
    merged = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    page.goto(demo_server.url + merged.get_absolute_url())
    assert page.locator("table.targets").is_visible()
    assert not page.locator(".target-list").is_visible()

    for viewport in (PHONE, NARROW_PHONE):
        page.set_viewport_size(viewport)
        assert not page.locator("table.targets").is_visible()
        years = page.locator(".target-list dt")
        assert years.first.inner_text() == "現状"
        assert "2011年度～2013年度（平成23年度～平成25年度）" in years.nth(1).inner_text()
        assert "3年度分に共通" in years.nth(1).inner_text()
        assert not axe_violations(page), describe(axe_violations(page))

    page.emulate_media(media="print")
    assert page.locator("table.targets").is_visible()
    assert not page.locator(".target-list").is_visible()


def test_an_arrow_reads_as_same_as_the_year_before_in_the_list(demo_server, page):
    project = Project.objects.get(plan__slug="kawasaki-2011", name="戸籍住民基本台帳事務")
    page.set_viewport_size(NARROW_PHONE)
    page.goto(demo_server.url + project.get_absolute_url())
    years = page.locator(".target-list dl").nth(1)  # after the one of 現状
    assert years.locator("dt").nth(1).inner_text() == "2012年度（平成24年度）"
    assert years.locator("dd").nth(1).inner_text() == "→ 前年度と同じ"
    page.set_viewport_size(DESKTOP)
    assert page.locator("table.targets").is_visible()
