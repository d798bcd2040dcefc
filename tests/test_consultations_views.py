"""The citizen's side of public comment: notices, the form's three steps, closed periods,
abuse protection, and the published answers."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import Comment, CommentPeriod
from planportal.clients import client_ip
from planportal.publication import PublicationStatus
from policies.models import Plan, PolicyNode
from tests.consultations import EMAIL, NAME, close, demo_node, demo_period, form_data, submit

pytestmark = pytest.mark.django_db


def form_url(period):
    return reverse("consultations:comment", args=[period.pk])


def test_node_page_invites_comments_and_preselects_the_listed_section(client):
    period, section = demo_period(), demo_node()
    deep = section.get_children().first()  # (1) under 節 6: not listed itself
    page = client.get(deep.get_absolute_url()).content.decode()
    link = f"{form_url(period)}?section={deep.pk}"
    assert "この素案に意見を出す" in page and link in page
    assert "デモ用" in page
    form = client.get(link).content.decode()
    assert f'<option value="{section.pk}" selected>' in form


def test_plan_page_shows_the_open_period(client):
    page = client.get("/plans/kawasaki-community/").content.decode()
    assert "意見募集中" in page and form_url(demo_period()) in page


def test_pages_of_other_plans_show_no_notice(client):
    assert "パブリックコメント（意見募集）" not in client.get("/plans/kawasaki/").content.decode()


def test_input_confirm_submit_done(client, mailoutbox):
    period, section = demo_period(), demo_node()
    text = "ＳＮＳでの発信を\r\n強化してください\u202e。"
    confirm = client.post(form_url(period), form_data(section, text=text))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "入力内容の確認" in page and "この内容で送信する" in page
    assert "SNSでの発信を<br>強化してください。" in page  # normalized before confirming
    assert not Comment.objects.exists()  # confirming stores nothing

    done = client.post(form_url(period), form_data(section, step="submit", text=text), follow=True)
    comment = Comment.objects.get()
    assert done.redirect_chain == [(reverse("consultations:done", args=[period.pk]), 302)]
    assert comment.receipt_number in done.content.decode()
    assert comment.text == "SNSでの発信を\n強化してください。"
    assert (comment.section, comment.name, comment.email) == (section, NAME, EMAIL)
    assert (comment.residence, comment.age_group, comment.status) == ("中原区", "40s", "new")

    [mail] = mailoutbox
    assert mail.to == [EMAIL] and comment.receipt_number in mail.subject
    assert "SNS" not in mail.body  # the text is never mailed to the address given
    comment.refresh_from_db()
    assert comment.acknowledged_at is not None


def test_edit_returns_to_the_input_with_the_values_kept(client):
    period, section = demo_period(), demo_node()
    response = client.post(form_url(period), form_data(section, step="edit", text="直したい意見"))
    page = response.content.decode()
    assert "意見の入力" in page and "直したい意見</textarea>" in page
    assert f'<option value="{section.pk}" selected>' in page
    assert not Comment.objects.exists()


def test_whole_draft_and_no_personal_data(client, mailoutbox):
    period = demo_period()
    data = form_data(None, step="submit", name="", email="", residence="", age_group="")
    client.post(form_url(period), data)
    comment = Comment.objects.get()
    assert comment.section is None and comment.name == comment.email == ""
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "ご意見を入力してください。"),
        ({"text": " \u200b\n\t "}, "ご意見を入力してください。"),
        ({"text": "あ" * 2001}, "ご意見は2,000字以内にしてください（現在2,001字）。"),
        ({"section": ""}, "意見の対象を選んでください。"),
        ({"section": "999999"}, "正しく選択してください。"),
        ({"email": "not-an-address"}, "有効なメールアドレスを入力してください。"),
        ({"age_group": "teens"}, "正しく選択してください。"),
        ({"residence": "横浜市"}, "正しく選択してください。"),
        ({"homepage": "http://spam.example"}, "「この欄は入力しないでください」の欄に入力があった"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(client, fields, message):
    period, section = demo_period(), demo_node()
    for step in ("confirm", "submit"):
        response = client.post(form_url(period), form_data(section, step=step, **fields))
        page = response.content.decode()
        assert response.status_code == 200
        assert "入力内容に誤りがあります" in page and message in page
    assert not Comment.objects.exists()


def test_exactly_2000_characters_after_normalization_are_accepted(client):
    period = demo_period()
    client.post(form_url(period), form_data(None, step="submit", text="ア" * 2000))
    assert len(Comment.objects.get().text) == 2000


def test_full_width_email_address_is_accepted(client):
    client.post(
        form_url(demo_period()), form_data(None, step="submit", email="ｈａｎａｋｏ＠example.jp")
    )
    assert Comment.objects.get().email == "hanako@example.jp"


def test_a_section_of_another_plan_cannot_be_chosen(client):
    foreign = PolicyNode.objects.filter(plan__slug="kawasaki-2011").first()
    response = client.post(form_url(demo_period()), form_data(foreign, step="submit"))
    assert "正しく選択してください。" in response.content.decode()
    assert not Comment.objects.exists()


def test_markup_in_a_comment_is_shown_as_text(client):
    period, section = demo_period(), demo_node()
    markup = '<script>alert("x")</script><b>太字</b>'
    page = client.post(form_url(period), form_data(section, text=markup)).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;太字&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>太字" not in page


def test_the_form_is_closed_outside_the_period(client):
    period = close(demo_period())
    page = client.get(form_url(period)).content.decode()
    assert "この意見募集は終了しました。ご意見の受付は締め切りました。" in page
    assert "<textarea" not in page
    response = client.post(form_url(period), form_data(demo_node(), step="submit"))
    assert response.status_code == 403
    assert "お送りいただいた内容は受け付けていません。" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_form_is_closed_before_the_period(client):
    period = demo_period()
    period.opens_at = timezone.now() + timedelta(days=2)
    period.closes_at = timezone.now() + timedelta(days=10)
    period.save()
    page = client.get(form_url(period)).content.decode()
    assert "この意見募集はまだ始まっていません。" in page and "<textarea" not in page


def test_a_period_that_closes_while_the_citizen_confirms(client, monkeypatch):
    period, section = demo_period(), demo_node()
    client.post(form_url(period), form_data(section))
    later = period.closes_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.post(form_url(period), form_data(section, step="submit"))
    assert response.status_code == 403 and not Comment.objects.exists()


def test_rate_limit_per_client(client, settings, monkeypatch):
    settings.COMMENT_RATE_LIMIT = 2
    period, section = demo_period(), demo_node()
    for _ in range(2):
        assert client.post(form_url(period), form_data(section, step="submit")).status_code == 302
    response = client.post(form_url(period), form_data(section, step="submit", text="三通目"))
    page = response.content.decode()
    assert response.status_code == 429
    assert "しばらくしてから送信してください" in page
    assert 'value="三通目"' in page  # the confirmation stays, to send again later
    assert Comment.objects.count() == 2
    # Another client is not affected; the first is again once the window has passed.
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert other.post(form_url(period), form_data(section, step="submit")).status_code == 302
    later = time.time() + settings.COMMENT_RATE_WINDOW
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.post(form_url(period), form_data(section, step="submit")).status_code == 302


def test_rate_limit_trusts_x_forwarded_for_only_when_configured(client, settings):
    settings.COMMENT_RATE_LIMIT = 1
    period, section = demo_period(), demo_node()
    data = form_data(section, step="submit")
    first = client.post(form_url(period), data, HTTP_X_FORWARDED_FOR="198.51.100.1")
    forged = client.post(form_url(period), data, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert (first.status_code, forged.status_code) == (302, 429)  # a forged header changes nothing
    settings.TRUSTED_PROXY_COUNT = 1
    behind_proxy = client.post(form_url(period), data, HTTP_X_FORWARDED_FOR="198.51.100.3")
    assert behind_proxy.status_code == 302


@pytest.mark.parametrize(
    ("forwarded", "trusted", "expected"),
    [
        ("", 0, "10.0.0.1"),
        ("203.0.113.9", 0, "10.0.0.1"),
        ("203.0.113.9", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),  # the client forged the first entry
        ("6.6.6.6, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("203.0.113.9", 2, "203.0.113.9"),
        ("", 1, "10.0.0.1"),
    ],
)
def test_client_ip(rf, forwarded, trusted, expected):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request, trusted) == expected


def test_csrf_is_enforced():
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(form_url(demo_period()), form_data(demo_node(), step="submit"))
    assert response.status_code == 403 and not Comment.objects.exists()
    assert "送信できませんでした" in response.content.decode()  # a page citizens understand


def test_form_pages_are_never_cached(client):
    response = client.get(form_url(demo_period()))
    assert "no-store" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_the_cached_node_page_follows_the_clock(client, monkeypatch):
    """Cached at the start of the period, the page must say 募集終了 once the period has closed."""
    period, node = demo_period(), demo_node()
    url = node.get_absolute_url()
    assert "この素案に意見を出す" in client.get(url).content.decode()
    later = period.closes_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = client.get(url).content.decode()
    assert "意見募集は終了しました。" in page and "この素案に意見を出す" not in page


def test_a_new_period_shows_on_cached_pages(client):
    plan_url = "/plans/kawasaki-2011/"
    assert "パブリックコメント（意見募集）" not in client.get(plan_url).content.decode()
    now = timezone.now()
    CommentPeriod.objects.create(
        plan=Plan.objects.get(slug="kawasaki-2011"),
        title="試験の意見募集",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        status=PublicationStatus.PUBLISHED,
    )
    assert "試験の意見募集" in client.get(plan_url).content.decode()


def test_draft_periods_are_for_staff_only(admin_client):
    client = Client()
    period = demo_period()
    period.status = PublicationStatus.DRAFT
    period.save()
    assert client.get(period.get_absolute_url()).status_code == 404
    assert client.get(form_url(period)).status_code == 404
    assert (
        "パブリックコメント（意見募集）"
        not in client.get(demo_node().get_absolute_url()).content.decode()
    )
    assert admin_client.get(period.get_absolute_url()).status_code == 200


def test_done_page_without_a_receipt_goes_back_to_the_period(client):
    period = demo_period()
    response = client.get(reverse("consultations:done", args=[period.pk]))
    assert response.status_code == 302 and response["Location"] == period.get_absolute_url()


def test_period_list_and_detail(client):
    period = demo_period()
    listing = client.get(reverse("consultations:periods")).content.decode()
    assert period.title in listing and "意見募集中" in listing
    detail = client.get(period.get_absolute_url()).content.decode()
    assert "意見を受け付ける章・節" in detail and demo_node().title in detail
    assert "この素案に意見を出す" in detail and "デモ用" in detail


def test_english_pages(client):
    period = demo_period()
    for url in (
        f"/en{form_url(period)}",
        f"/en{period.get_absolute_url()}",
        "/en/public-comments/",
    ):
        assert client.get(url).status_code == 200


def test_results_wait_for_the_end_and_for_staff(client):
    period = demo_period()
    comment = submit(period, demo_node(), text="公表される意見")
    comment.status = Comment.Status.PUBLISH
    comment.answer = "市の考え方です。"
    comment.save()
    url = reverse("consultations:results", args=[period.pk])
    page = client.get(url).content.decode()
    assert "意見募集の終了後" in page and "公表される意見" not in page
    close(period)
    page = client.get(url).content.decode()
    assert "取りまとめ次第公表します" in page and "公表される意見" not in page
    period.results_published = True
    period.save()
    page = client.get(url).content.decode()
    assert "公表される意見" in page and "市の考え方です。" in page


def test_results_grouped_by_section_with_counts_and_nothing_personal(client):
    period = demo_period()
    chapter1, section6 = demo_node(("第1章",)), demo_node()
    published = [
        submit(period, None, text="全体への意見"),
        submit(period, section6, text="節6への意見 <i>その1</i>"),
        submit(period, section6, text="節6への意見その2"),
        submit(period, chapter1, text="第1章への意見"),
    ]
    withheld = submit(period, section6, text="誹謗中傷")
    Comment.objects.filter(pk__in=[c.pk for c in published]).update(status="publish")
    Comment.objects.filter(pk=withheld.pk).update(status="withhold")
    close(period)
    period.results_published = True
    period.save()
    page = client.get(reverse("consultations:results", args=[period.pk])).content.decode()
    assert page.index("素案全体について") < page.index(chapter1.title) < page.index(section6.title)
    assert "公表する意見</dt>\n  <dd>4件" in page
    assert "（2件）" in page  # 節 6
    assert "節6への意見 &lt;i&gt;その1&lt;/i&gt;" in page
    assert "誹謗中傷</p>" not in page and "1 件は公表していません" in page
    assert NAME not in page and EMAIL not in page
