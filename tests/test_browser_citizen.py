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
    small_tap_targets,
)
from tests.test_browser_public import page_types

pytestmark = pytest.mark.browser


def citizen_pages() -> dict[str, str]:
    """Every public page type, with the schedule, the glossary, open data, 新着・更新情報
    and English pages."""
    return page_types() | {
        "schedule": "/plans/kawasaki/schedule/",
        "glossary": "/glossary/",
        "open data": "/open-data/",
        "changes": "/changes/",
        "search by year": "/search/?q=町内会 H25",
        "search without results": "/search/?q=存在しない語句",
        "english home": "/en/",
        "english project": "/en"
        + Project.objects.get(
            plan__slug="kawasaki-2011", name="地域情報化推進事業"
        ).get_absolute_url(),
    }


def test_nothing_is_wider_than_the_screen_outside_a_scrollable_block(demo_server, page):
    failures = {}
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        for name, path in citizen_pages().items():
            page.goto(demo_server.url + path)
            if found := overflowing_elements(page):
                failures[f"{name} @{viewport['width']}"] = found
    assert not failures, failures


def test_axe_is_clean_at_320_px_and_on_the_added_pages_at_every_width(demo_server, page):
    """test_browser_public checks the other page types at 1280 and 375 px."""
    failures = {}
    extras = citizen_pages().keys() - page_types().keys()
    for name, path in citizen_pages().items():
        for viewport in VIEWPORTS if name in extras else (NARROW_PHONE,):
            page.set_viewport_size(viewport)
            page.goto(demo_server.url + path)
            if violations := axe_violations(page):
                failures[f"{name} @{viewport['width']}"] = describe(violations)
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


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


def test_links_and_controls_are_at_least_24_px_to_tap(demo_server, page):
    failures = {}
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        for name, path in citizen_pages().items():
            page.goto(demo_server.url + path)
            if found := small_tap_targets(page):
                failures[f"{name} @{viewport['width']}"] = found
    assert not failures, failures


def _luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in rgb[rgb.index("(") + 1 : -1].split(",")[:3])
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


_FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const header = element.closest(".site-header") || element.classList.contains("skip-link");
  return {
    text: element.textContent.trim().slice(0, 20) || element.name,
    outline: style.outlineStyle !== "none" ? style.outlineColor : null,
    width: parseFloat(style.outlineWidth),
    inHeader: Boolean(header),
    header: getComputedStyle(document.querySelector(".site-header")).backgroundColor,
  };
}"""


def test_the_focus_ring_stands_out_on_the_navy_header(demo_server, page):
    page.goto(demo_server.url + "/plans/kawasaki-2011/")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if not focused["inHeader"]:
            break
        seen.append(focused["text"])
        assert focused["outline"] and focused["width"] >= 2, focused
        ratio = contrast(focused["outline"], focused["header"])
        assert ratio >= 3, (focused, round(ratio, 2))
    assert "本文へ移動" in seen and "English" in seen and "検索" in seen


def test_favicon_ico_is_an_icon(demo_server, page):
    response = page.request.get(demo_server.url + "/favicon.ico")
    assert response.ok
    assert response.body()[:4] == bytes([0, 0, 1, 0])  # the ICO file signature


_UNMARKED_JAPANESE = """() => {
  const japanese = /[\\u3040-\\u30ff\\u3400-\\u9fff\\uf900-\\ufaff\\uff66-\\uff9f]/;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    if (!japanese.test(text.textContent)) continue;
    if (text.parentElement.closest("[lang]").getAttribute("lang") !== "ja") {
      found.push(text.textContent.trim().slice(0, 30));
    }
  }
  return found.slice(0, 8);
}"""


def english_pages() -> dict[str, str]:
    return {
        name: "/en" + path
        for name, path in citizen_pages().items()
        if not path.startswith("/en/") and name != "search with errors"
    }


def test_japanese_content_on_english_pages_is_marked_lang_ja(demo_server, page):
    failures = {}
    for name, path in english_pages().items():
        page.goto(demo_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        if found := page.evaluate(_UNMARKED_JAPANESE):
            failures[name] = found
    assert not failures, failures


def test_english_pages_name_the_site_once_and_use_english_names(demo_server, page):
    page.goto(demo_server.url + "/en/wards/")
    assert page.locator(".site-name").inner_text().strip() == "Plan Portal"
    assert page.get_by_role("link", name="Saiwai Ward").count() == 1
    assert page.get_by_role("heading", name="Kawasaki City").count() == 1
    page.goto(demo_server.url + "/en/sdgs/11/")
    assert "Sustainable Cities and Communities" in page.get_by_role("heading", level=1).inner_text()


_BROKEN_YEARS = """() => {
  const found = [];
  for (const cell of document.querySelectorAll(".timeline-year, table.targets thead th")) {
    const first = cell.firstChild;
    if (!first || first.nodeType !== Node.TEXT_NODE || !cell.getClientRects().length) continue;
    const range = document.createRange();
    range.selectNodeContents(first);
    const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
    if (lines.size > 1) found.push(first.textContent);
  }
  return found;
}"""


def test_year_labels_never_break_inside(demo_server, page):
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    failures = {}
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        for path in ("/en/", "/en/plans/kawasaki/", "/en" + project.get_absolute_url(), "/"):
            page.goto(demo_server.url + path)
            if found := page.evaluate(_BROKEN_YEARS):
                failures[f"{path} @{viewport['width']}"] = found
    assert not failures, failures
