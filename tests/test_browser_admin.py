"""Staff work in the admin in a real browser: the plan tree reorders by drag and drop."""

import pytest
from django.contrib.auth import get_user_model

from policies.models import PolicyNode

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-password-42"


@pytest.fixture
def signed_in(demo_server, page):
    get_user_model().objects.create_superuser("planner", "planner@example.org", PASSWORD)
    page.goto(demo_server.url + "/admin/login/")
    page.get_by_label("ユーザー名").fill("planner")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/admin/")
    return page


def test_dragging_a_measure_before_its_sibling_reorders_the_tree(demo_server, signed_in):
    page = signed_in
    basic = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")
    first, second, third = basic.get_children()
    page.goto(f"{demo_server.url}/admin/policies/policynode/?plan__id__exact={basic.plan_id}")
    handle = (
        page.locator(f'div.tree-node[data-pk="{third.pk}"]')
        .locator("xpath=..")
        .locator("div.drag-handle")
    )
    target = page.locator(f'div.tree-node[data-pk="{first.pk}"]').locator("xpath=ancestor::tr")
    start, box = handle.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 4, steps=12)  # the top third of the row: "before"
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.mouse.up()
    page.wait_for_load_state()
    order = [node.pk for node in PolicyNode.objects.get(pk=basic.pk).get_children()]
    assert order == [third.pk, first.pk, second.pk]
