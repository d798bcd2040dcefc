"""An evaluation round in a real browser: a bureau editor fills five rows of the grid by
keyboard and submits them; planning approves and publishes; the public page shows them."""

import datetime

import pytest

from planportal.permissions import PLAN_ADMINS
from projects.models import Project, ProjectListing, ProjectResult
from rounds.models import Round, Task
from rounds.services import open_round
from rounds.workflow import Status
from tests.browser import DESKTOP
from tests.evaluations import levels

pytestmark = pytest.mark.browser
PASSWORD = "browser-pw-1"


def sign_in(page, server, username):
    page.context.clear_cookies()
    page.goto(server.url + "/admin/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/admin/")


@pytest.fixture
def five_row_round(demo_server, city_plan, environment_editor, make_staff):
    green = city_plan.nodes.get(code="1-1")
    for name in ("生物多様性保全事業", "環境学習推進事業"):
        project = Project.objects.create(
            plan=city_plan,
            name=name,
            home_node=green,
            bureau=environment_editor.staff_scope.bureau,
            status="published",
        )
        ProjectListing.objects.create(project=project, node=green)
    planner = make_staff("planner", PLAN_ADMINS)
    for user in (environment_editor, planner):
        user.set_password(PASSWORD)
        user.save()
    round = Round(plan=city_plan, fiscal_year=2023, deadline=datetime.date.today())
    open_round(round, user=planner)
    return round


def test_a_bureau_fills_five_rows_by_keyboard_planning_approves_citizens_see_them(
    demo_server, page, five_row_round
):
    round = five_row_round
    sign_in(page, demo_server, "env-editor")
    page.get_by_role("link", name=str(round)).first.click()  # the home page's "my tasks"
    page.wait_for_selector("table.round-grid")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]

    mine = Task.objects.filter(round=round, project__bureau__name="環境局")
    rows = page.locator("table.round-grid tbody tr")
    assert rows.count() == 5
    rows.nth(0).locator("input[type=checkbox]").focus()
    for index in range(5):
        keyboard = page.keyboard
        keyboard.press("Space")  # select the row for submission
        keyboard.press("Tab")  # the project's history link
        keyboard.press("Tab")  # 実績
        keyboard.type(f"実績{index + 1}：計画どおり実施")
        keyboard.press("Tab")  # 達成度
        keyboard.press("ArrowDown")
        keyboard.press("ArrowDown")  # 2 目標を上回って達成
        keyboard.press("Tab")  # 評価結果
        for _ in range(3):
            keyboard.press("ArrowDown")  # C
        keyboard.press("Tab")  # 説明
        keyboard.type("順調")
        keyboard.press("Tab")  # the next row's checkbox
    # Alt+↑ moves to the same field of the row above.
    rows.nth(4).locator("textarea").last.focus()
    page.keyboard.press("Alt+ArrowUp")
    focused = page.evaluate(
        "[document.activeElement.name, document.activeElement.closest('tr').id]"
    )
    row_above = rows.nth(3).get_attribute("id")
    assert focused[1] == row_above and focused[0].endswith("-comment")

    page.get_by_role("button", name="保存して、選択した行を提出").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist")
    assert set(mine.values_list("status", flat=True)) == {Status.SUBMITTED}
    results = ProjectResult.objects.filter(fiscal_year=2023).select_related("project")
    assert sorted(r.actual for r in results) == [f"実績{i}：計画どおり実施" for i in range(1, 6)]
    assert {r.comment for r in results} == {"順調"}
    assert {tuple(sorted(levels(r.project, 2023).values())) for r in results} == {("2", "C")}

    sign_in(page, demo_server, "planner")
    page.get_by_role(
        "link", name=str(round)
    ).first.click()  # planning's home: the round's dashboard
    page.get_by_role("link", name="5", exact=True).first.click()  # drill down to the submitted
    boxes = page.locator("table.round-grid tbody input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.get_by_role("button", name="選択した行を承認").click()
    page.wait_for_selector(".messagelist")
    assert set(mine.values_list("status", flat=True)) == {Status.APPROVED}
    page.goto(demo_server.url + f"/admin/rounds/round/{round.pk}/dashboard/")
    page.get_by_role("button", name="承認済み5件をすべて公開").click()
    page.wait_for_selector(".messagelist")

    page.context.clear_cookies()  # a citizen
    project = Project.objects.get(plan=round.plan, name="緑化推進事業")
    page.goto(demo_server.url + project.get_absolute_url())
    assert page.get_by_text("計画どおり実施").count() == 1
    assert page.get_by_text("未評価（評価作業中）").count() == 0
