"""Staff moderate public comments in the admin: filters, answers, topics, exports, permissions."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import Comment, CommentPeriod, CommentTopic
from planportal.permissions import PLAN_ADMINS, sync_role_groups
from policies.models import PolicyNode
from tests.admin_forms import form_data
from tests.consultations import EMAIL, NAME, close, demo_node, demo_period, submit

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:consultations_comment_changelist"


@pytest.fixture
def moderator(db):
    """A plan administrator: moderates comments, but does not see who wrote them
    unless given the personal-data permission on top of the role."""
    client = Client()
    user = get_user_model().objects.create_user("moderator", password="unused-pw-2", is_staff=True)
    sync_role_groups()
    user.groups.add(Group.objects.get(name=PLAN_ADMINS))
    client.force_login(user)
    return client


@pytest.fixture
def comments():
    period = demo_period()
    return [
        submit(period, demo_node(), text="まちのひろばを増やしてほしい"),
        submit(period, demo_node(), text="まちのひろばを増やしてほしい。"),
        submit(period, None, text="全体についての意見", name="", email=""),
    ]


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def test_the_moderator_never_sees_names_or_addresses(moderator, comments):
    page = moderator.get(change_url(comments[0])).content.decode()
    assert comments[0].text in page and "中原区" not in page  # residence was not given
    assert NAME not in page and EMAIL not in page
    listing = moderator.get(reverse(CHANGELIST)).content.decode()
    assert comments[0].receipt_number in listing and NAME not in listing


def test_staff_with_the_permission_see_them(admin_client, comments):
    page = admin_client.get(change_url(comments[0])).content.decode()
    assert NAME in page and EMAIL in page


def test_markup_in_a_comment_is_text_in_the_admin(admin_client):
    comment = submit(demo_period(), text="<img src=x onerror=alert(1)>")
    page = admin_client.get(change_url(comment)).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_similar_comments_are_suggested(admin_client, comments):
    page = admin_client.get(change_url(comments[0])).content.decode()
    assert comments[1].receipt_number in page and "（100%）" in page
    assert comments[2].receipt_number not in page.split("同じ意見募集の似た意見")[1]


def test_filters(admin_client, comments):
    url = reverse(CHANGELIST)
    period, section = demo_period(), demo_node()
    for params, expected in [
        ({"period__id__exact": period.pk}, 3),
        ({"section": section.pk}, 2),
        ({"section": "whole"}, 1),
        ({"status__exact": "new"}, 3),
        ({"status__exact": "publish"}, 0),
        ({"answered": "no"}, 3),
        ({"q": comments[2].receipt_number}, 1),
    ]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        assert response.context["cl"].result_count == expected, params


def test_answering_a_comment(moderator, comments):
    comment = comments[0]
    page = moderator.get(change_url(comment))
    data = form_data(page)
    data.update(status="publish", summary="ひろばを増やす意見", answer="地域と検討します。")
    response = moderator.post(change_url(comment), data)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.answer) == ("publish", "地域と検討します。")
    assert comment.text == "まちのひろばを増やしてほしい" and comment.email == EMAIL  # unchanged
    listing = moderator.get(reverse(CHANGELIST), {"answered": "yes"})
    assert listing.context["cl"].result_count == 1


def test_grouping_comments_into_a_topic(admin_client, comments):
    first, second, _whole = comments
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "group_into_topic", "_selected_action": [first.pk, second.pk]},
    )
    topic = CommentTopic.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(topic)
    assert topic.section == demo_node() and topic.summary == first.text
    assert set(topic.comments.all()) == {first, second}
    assert second.receipt_number in admin_client.get(change_url(topic)).content.decode()


def test_topics_are_only_of_one_period(admin_client, comments):
    other = CommentPeriod.objects.create(
        plan=demo_period().plan,
        title="別の意見募集",
        opens_at=demo_period().opens_at,
        closes_at=demo_period().closes_at,
        status="published",
    )
    foreign = submit(other, text="別の意見")
    admin_client.post(
        reverse(CHANGELIST),
        {"action": "group_into_topic", "_selected_action": [comments[0].pk, foreign.pk]},
    )
    assert not CommentTopic.objects.exists()


def test_export_actions_respect_the_personal_data_permission(moderator, admin_client, comments):
    selection = {"_selected_action": [c.pk for c in comments]}
    url = reverse(CHANGELIST)
    for client, expect_personal in ((moderator, False), (admin_client, True)):
        response = client.post(url, {"action": "export_csv", **selection})
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="comments-')
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == 4
        assert (NAME in response.content.decode("utf-8-sig")) is expect_personal
        xlsx = client.post(url, {"action": "export_xlsx", **selection})
        assert xlsx.content.startswith(b"PK")  # a zip container: an .xlsx workbook


def test_staff_cannot_add_comments(admin_client):
    assert admin_client.get(reverse("admin:consultations_comment_add")).status_code == 403


def test_results_cannot_be_published_while_the_period_runs(admin_client):
    period = demo_period()
    url = reverse("admin:consultations_commentperiod_changelist")
    admin_client.post(url, {"action": "publish_results", "_selected_action": [period.pk]})
    period.refresh_from_db()
    assert not period.results_published
    close(period)
    admin_client.post(url, {"action": "publish_results", "_selected_action": [period.pk]})
    period.refresh_from_db()
    assert period.results_published


def test_purging_from_the_admin_needs_the_permission(moderator, admin_client, comments):
    period = close(demo_period())
    url = reverse("admin:consultations_commentperiod_changelist")
    data = {"action": "purge_personal_data", "_selected_action": [period.pk]}
    moderator.post(url, data)
    assert Comment.objects.with_personal_data().count() == 2
    admin_client.post(url, data)
    assert Comment.objects.with_personal_data().count() == 0


def test_a_period_lists_sections_of_its_own_plan_only(admin_client):
    own = demo_node()
    foreign = PolicyNode.objects.filter(plan__slug="kawasaki-2011").first()
    data = {
        "plan": own.plan_id,
        "title": "新しい意見募集",
        "opens_at_0": "2030-04-01",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2030-04-30",
        "closes_at_1": "17:00:00",
        "status": "draft",
        "sections": [own.pk, foreign.pk],
    }
    response = admin_client.post(reverse("admin:consultations_commentperiod_add"), data)
    assert "この意見募集の計画の章・節だけを選んでください。" in response.content.decode()
    assert not CommentPeriod.objects.filter(title="新しい意見募集").exists()
    data["sections"] = [own.pk]
    response = admin_client.post(reverse("admin:consultations_commentperiod_add"), data)
    period = CommentPeriod.objects.get(title="新しい意見募集")
    assert list(period.sections.all()) == [own]
    assert period.opens_at.isoformat() == "2030-04-01T00:00:00+00:00"  # 09:00 in Tokyo


def test_a_period_saved_in_the_admin_keeps_its_data(admin_client):
    period = demo_period()
    before = set(period.sections.values_list("pk", flat=True))
    data = form_data(admin_client.get(change_url(period)))
    for name in ("opens_at", "closes_at"):  # the admin splits date and time
        moment = timezone.localtime(getattr(period, name))
        assert (data[f"{name}_0"], data[f"{name}_1"]) == (
            f"{moment:%Y-%m-%d}",
            f"{moment:%H:%M:%S}",
        )
    assert admin_client.post(change_url(period), data).status_code == 302
    period.refresh_from_db()
    assert set(period.sections.values_list("pk", flat=True)) == before
