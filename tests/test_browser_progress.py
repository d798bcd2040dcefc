"""Schedules and progress pages in a real browser: axe, phones, print."""

from decimal import Decimal

import pytest

from planportal.publication import PublicationStatus
from policies.models import Indicator, IndicatorValue, PolicyNode
from projects.models import Project
from tests.browser import DESKTOP, PHONE, axe_violations, describe
from tests.evaluations import record

pytestmark = pytest.mark.browser
PUBLISHED = PublicationStatus.PUBLISHED


def progress_data():
    """A year's results for the projects of one measure, and an indicator on it."""
    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    projects = list(Project.objects.under(node).order_by("pk"))[:3]
    for project, (year, achievement, review) in zip(
        projects, [(2011, "3", "C"), (2011, "2", "A"), (2012, "4", "G")], strict=True
    ):
        record(project, year, actual="実績の記録", achievement=achievement, review=review)
    indicator = Indicator.objects.create(
        node=node,
        name="区民会議の認知度",
        unit="%",
        baseline_value=Decimal("23.5"),
        baseline_year=2010,
        status=PUBLISHED,
    )
    for year, target, actual in [(2011, 25, "24.1"), (2012, 28, "29.3"), (2013, 30, None)]:
        IndicatorValue.objects.create(
            indicator=indicator,
            fiscal_year=year,
            target=Decimal(target),
            actual=Decimal(actual) if actual else None,
        )
    return {
        "schedule kawasaki": "/plans/kawasaki/schedule/",
        "schedule tsurugashima": "/plans/tsurugashima/schedule/",
        "plan with timeline": "/plans/tsurugashima/",
        "node with roll-up and indicator": node.get_absolute_url(),
        "project with results": projects[0].get_absolute_url(),
        "english schedule": "/en/plans/kawasaki/schedule/",
    }


def test_schedule_and_progress_pages_pass_axe_and_fit_a_phone(demo_server, page):
    pages = progress_data()
    failures = {}
    for name, path in pages.items():
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.goto(demo_server.url + path)
            violations = axe_violations(page)
            if violations:
                failures[f"{name} @{viewport['width']}"] = describe(violations)
            if viewport is PHONE:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    failures[f"{name} @phone"] = f"scrolls sideways: {width}px"
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_charts_render_and_print_with_their_tables(demo_server, page):
    pages = progress_data()
    page.goto(demo_server.url + pages["node with roll-up and indicator"])
    charts = page.get_by_role("img")
    assert charts.count() == 3  # two years of roll-up, one indicator
    assert page.get_by_role("img", name="区民会議の認知度").is_visible()
    box = page.locator("#rollup-chart-2011").bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    page.emulate_media(media="print")
    assert page.locator("svg#rollup-chart-2011").is_visible()
    assert page.get_by_role("table", name="区民会議の認知度の目標と実績（%）").is_visible()
    page.goto(demo_server.url + pages["schedule kawasaki"])
    page.emulate_media(media="print")
    assert page.get_by_role("table", name="川崎市総合計画の計画期間").is_visible()
    assert not page.get_by_role(
        "link", name="このスケジュールをカレンダーに取り込む（iCalendar形式）"
    ).is_visible()
