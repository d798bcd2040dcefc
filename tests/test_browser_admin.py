"""The staff admin works under the Content-Security-Policy, in a real browser.

Every CSP violation (an inline script or style the policy blocks) is caught
through the browser's ``securitypolicyviolation`` event and its console.
"""

import pytest
from django.contrib.auth import get_user_model

from policies.models import Plan, PolicyNode
from projects.models import Project

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline")
    + " " + (event.sourceFile || "") + ":" + event.lineNumber);
});
"""


@pytest.fixture
def staff_page(demo_server, page):
    get_user_model().objects.create_superuser("chief", "chief@example.org", "browser-pw-1")
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(demo_server.url + "/admin/login/")
    page.get_by_label("ユーザー名").fill("chief")
    page.get_by_label("パスワード").fill("browser-pw-1")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/admin/")
    page.console_messages = console
    return page


def violations(page):
    found = page.evaluate("window.__cspViolations")
    found += [m for m in page.console_messages if "Content Security Policy" in m]
    return found


def test_the_admin_tree_page_runs_its_scripts_under_the_csp(demo_server, staff_page):
    plan = Plan.objects.get(slug="kawasaki-2011")
    staff_page.goto(f"{demo_server.url}/admin/policies/policynode/?plan__id__exact={plan.pk}")
    # draggable-admin.js ran: it marks the nodes that have children and adds the toggles.
    staff_page.wait_for_selector(".tree-node.children")
    assert staff_page.locator(".drag-handle").count() == plan.nodes.count()
    indent = staff_page.locator(".tree-indent-2").first.evaluate(
        "e => getComputedStyle(e).textIndent"
    )
    assert indent == "40px"  # the indentation comes from admin.css, not a style attribute
    staff_page.locator(".tree-node.children").first.click()  # collapse a branch
    assert violations(staff_page) == []


def test_a_drag_and_drop_move_in_the_browser(demo_server, staff_page):
    basic = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")
    first, second = list(basic.get_children())[:2]
    staff_page.goto(f"{demo_server.url}/admin/policies/policynode/?plan__id__exact={basic.plan_id}")
    handle = (
        staff_page.locator(f'.tree-node[data-pk="{second.pk}"]')
        .locator("xpath=..")
        .locator(".drag-handle")
    )
    target_row = staff_page.locator(f'.tree-node[data-pk="{first.pk}"]').locator(
        "xpath=ancestor::tr"
    )
    box = target_row.bounding_box()
    handle.hover()
    staff_page.mouse.down()
    staff_page.mouse.move(box["x"] + 200, box["y"] + 3, steps=10)
    with staff_page.expect_navigation():
        staff_page.mouse.up()
    assert [n.pk for n in PolicyNode.objects.get(pk=basic.pk).get_children()][:2] == [
        second.pk,
        first.pk,
    ]
    assert violations(staff_page) == []


def test_change_forms_history_and_filters_work_under_the_csp(demo_server, staff_page):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    base = f"{demo_server.url}/admin/projects/project/{project.pk}"
    staff_page.goto(f"{base}/change/")
    staff_page.get_by_label("事業概要").fill("ブラウザでの変更")
    staff_page.get_by_role("button", name="保存", exact=True).click()
    staff_page.wait_for_url("**/admin/projects/project/")
    staff_page.goto(f"{base}/history/")
    assert "ブラウザでの変更" in staff_page.content()
    staff_page.goto(f"{demo_server.url}/admin/policies/policynode/add/")
    staff_page.goto(f"{demo_server.url}/admin/projects/project/?q=区")
    assert violations(staff_page) == []
