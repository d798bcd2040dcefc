"""Public comment in a real browser: a citizen comments on the seed-003 draft, staff answer
in the admin, and the published answers show it, with every public page passing axe."""

import re

import pytest
from django.contrib.auth import get_user_model

from consultations.models import Comment
from tests.browser import PHONE, axe_violations, describe
from tests.consultations import close, demo_node, demo_period

pytestmark = pytest.mark.browser

NAME = "ブラウザ 太郎"
EMAIL = "taro.browser@example.jp"
TEXT = "まちのひろばを増やしてください。\n<b>太字</b>は<script>タグ</script>のまま"
ANSWER = "地域の皆さんと一緒に、ひろばの創出を進めます。"


def assert_accessible(page, name, failures):
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        violations = axe_violations(page)
        if violations:
            failures[f"{name} @{viewport['width']}"] = describe(violations)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            failures[f"{name} @{viewport['width']}"] = f"scrolls sideways: {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_comment_answer_publish(demo_server, page, browser, mailoutbox):
    failures = {}
    period, section = demo_period(), demo_node()
    deep = section.get_children().first()

    # A citizen reads a part of the draft and follows the invitation.
    page.goto(demo_server.url + deep.get_absolute_url())
    page.get_by_role("link", name="この素案に意見を出す").click()
    page.wait_for_url(re.compile(r"/public-comments/\d+/form/\?section="))
    assert page.get_by_label("意見の対象").input_value() == str(section.pk)
    assert_accessible(page, "form", failures)

    # Sent empty, the form explains what is missing.
    page.get_by_role("button", name="入力内容を確認する").click()
    assert page.get_by_role("alert").get_by_text("ご意見を入力してください。").count() == 1
    assert_accessible(page, "form with errors", failures)

    # The robot trap is out of reach: not in the tab order, hidden from assistive technology.
    trap = page.locator("input[name=homepage]")
    assert trap.get_attribute("tabindex") == "-1"
    assert page.locator(".hp-field").get_attribute("aria-hidden") == "true"
    assert not trap.is_visible() or trap.bounding_box()["x"] < 0

    page.get_by_role("textbox", name="ご意見").fill(TEXT)
    page.get_by_label("氏名").fill(NAME)
    page.get_by_label("お住まい").select_option("中原区")
    page.get_by_label("年代").select_option(label="40代")
    page.get_by_label("メールアドレス").fill(EMAIL)
    page.get_by_role("button", name="入力内容を確認する").click()

    # The confirmation shows the markup as text, then the comment is sent.
    page.get_by_role("heading", name=re.compile("入力内容の確認")).wait_for()
    assert page.get_by_text("<b>太字</b>は<script>タグ</script>のまま").count() == 1
    assert page.locator("main b").count() == 0 and page.locator("main script").count() == 0
    assert_accessible(page, "confirm", failures)
    page.get_by_role("button", name="この内容で送信する").click()
    page.wait_for_url("**/form/done/")
    comment = Comment.objects.get()
    assert page.locator(".receipt-number").inner_text() == comment.receipt_number
    assert comment.text == TEXT and comment.section == section
    assert comment.name == NAME and comment.email == EMAIL
    assert [mail.to for mail in mailoutbox] == [[EMAIL]]
    assert_accessible(page, "done", failures)

    # Staff answer it in the admin.
    get_user_model().objects.create_superuser("chief", "chief@example.org", "browser-pw-1")
    staff = browser.new_context(locale="ja-JP").new_page()
    staff.goto(f"{demo_server.url}/admin/consultations/comment/{comment.pk}/change/")
    staff.get_by_label("ユーザー名").fill("chief")
    staff.get_by_label("パスワード").fill("browser-pw-1")
    staff.get_by_role("button", name="ログイン").click()
    staff.locator("#id_status").select_option("publish")
    staff.locator("#id_answer").fill(ANSWER)
    staff.get_by_role("button", name="保存", exact=True).click()
    staff.get_by_text("変更しました").wait_for()
    comment.refresh_from_db()
    assert (comment.status, comment.answer) == ("publish", ANSWER)

    # The period ends; staff publish the result.
    close(period)
    staff.goto(f"{demo_server.url}/admin/consultations/commentperiod/{period.pk}/change/")
    staff.locator("#id_results_published").check()
    staff.get_by_role("button", name="保存", exact=True).click()
    staff.get_by_text("変更しました").wait_for()
    staff.context.close()

    # The citizen finds the answer from the same page of the draft.
    page.goto(demo_server.url + deep.get_absolute_url())
    assert page.get_by_role("link", name="この素案に意見を出す").count() == 0
    page.get_by_role("link", name="意見の概要と市の考え方を見る").click()
    page.wait_for_url("**/results/")
    main = page.locator("main")
    assert "<b>太字</b>は<script>タグ</script>のまま" in main.inner_text()
    assert ANSWER in main.inner_text()
    assert page.get_by_role("heading", name=re.compile(section.title)).count() == 1
    content = page.content()
    assert NAME not in content and EMAIL not in content
    assert_accessible(page, "results", failures)

    # The form itself is closed now.
    page.goto(f"{demo_server.url}/public-comments/{period.pk}/form/")
    assert page.get_by_text("この意見募集は終了しました。").count() == 1
    assert page.locator("textarea").count() == 0
    assert_accessible(page, "closed", failures)

    for name, path in {
        "period": period.get_absolute_url(),
        "period list": "/public-comments/",
        "english results": f"/en/public-comments/{period.pk}/results/",
    }.items():
        page.goto(demo_server.url + path)
        assert_accessible(page, name, failures)
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_the_node_and_plan_pages_with_an_open_period_pass_axe(demo_server, page):
    failures = {}
    for name, path in {
        "plan": "/plans/kawasaki-community/",
        "node": demo_node().get_absolute_url(),
        "period": demo_period().get_absolute_url(),
    }.items():
        page.goto(demo_server.url + path)
        assert_accessible(page, name, failures)
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_the_form_works_by_keyboard_alone(demo_server, page):
    page.goto(f"{demo_server.url}/public-comments/{demo_period().pk}/form/")
    page.get_by_label("意見の対象").focus()
    page.keyboard.press("ArrowDown")  # from 選択してください to 素案全体について
    page.keyboard.press("Tab")
    page.keyboard.type("キーボードだけで書いた意見")
    tab_stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        tab_stops.append(
            page.evaluate("document.activeElement.name || document.activeElement.textContent")
        )
    assert "homepage" not in tab_stops  # the robot trap is never reached
    page.get_by_role("button", name="入力内容を確認する").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="この内容で送信する").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/form/done/")
    comment = Comment.objects.get()
    assert comment.text == "キーボードだけで書いた意見" and comment.section is None
