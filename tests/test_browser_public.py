"""Every public page type in a real browser: accessibility, phones, keyboard, print, language."""

import pytest

from policies.models import Plan, PolicyNode, SDGGoal, Strategy, Ward
from projects.models import Project
from tests.browser import PHONE, axe_violations, describe

pytestmark = pytest.mark.browser


def page_types():
    """One URL of every public page type, from the demo data."""
    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    ward = Ward.objects.get(slug="saiwai-ku")
    return {
        "home": "/",
        "plan": "/plans/kawasaki/",
        "plan tree": "/plans/kawasaki-2011/",
        "node": node.get_absolute_url(),
        "project": project.get_absolute_url(),
        "strategy": Strategy.objects.filter(plan__slug="kawasaki").first().get_absolute_url(),
        "wards": "/wards/",
        "ward": ward.get_absolute_url(),
        "sdgs": "/sdgs/",
        "sdg goal": SDGGoal.objects.get(number=11).get_absolute_url(),
        "sdg matrix": "/plans/kawasaki-2011/sdgs/",
        "search": "/search/?q=区民会議",
        "search with errors": "/search/?q=" + "あ" * 101,
        "not found": "/plans/no-such-plan/",
        "english node": "/en" + node.get_absolute_url(),
    }


def test_every_page_type_passes_axe_at_desktop_and_phone_width(demo_server, page):
    failures = {}
    for name, path in page_types().items():
        for viewport in ({"width": 1280, "height": 900}, PHONE):
            page.set_viewport_size(viewport)
            page.goto(demo_server.url + path)
            violations = axe_violations(page)
            if violations:
                failures[f"{name} @{viewport['width']}"] = describe(violations)
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_no_horizontal_scrolling_on_a_phone_except_inside_tables(demo_server, page):
    page.set_viewport_size(PHONE)
    for name, path in page_types().items():
        page.goto(demo_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways: {width}px"


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(demo_server, page):
    page.goto(demo_server.url + "/plans/kawasaki-2011/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "本文へ移動"
    assert page.evaluate("getComputedStyle(document.activeElement).top") != "-48px"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_the_tree_is_keyboard_operable(demo_server, page):
    page.goto(demo_server.url + "/plans/kawasaki-2011/")
    link = page.get_by_role("link", name="Ⅶ-1-(1) 分権時代の新たな自治のしくみづくり")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/nodes/**")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith("分権時代の新たな自治のしくみづくり")
    )


def test_print_hides_navigation_and_keeps_the_content(demo_server, page):
    project = Project.objects.get(
        plan__slug="kawasaki-2011", name="区民会議運営事業", each_ward=False
    )
    page.goto(demo_server.url + project.get_absolute_url())
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("table.targets").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()


def test_language_switch_keeps_the_page_and_translates_the_chrome(demo_server, page):
    plan = Plan.objects.get(slug="kawasaki-2011")
    page.goto(demo_server.url + plan.get_absolute_url())
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/plans/kawasaki-2011/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == plan.title  # content stays Japanese
