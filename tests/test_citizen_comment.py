"""Public comment as residents meet it (issue 14, point 7): the open period on the home
page with its days left, the way to comment first, the draft's document, the paper ways
(郵送・FAX・持参) only when staff set them, dates in both calendars, past periods with
their results, and each draft's schedule link going to its own plan."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import CommentPeriod
from consultations.templatetags.consultation_tags import days_left, period_datetime
from planportal.publication import PublicationStatus
from tests.consultations import close, demo_period

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def period_page(client, period, language="") -> str:
    return client.get(f"{language}{period.get_absolute_url()}").content.decode()


def test_days_left_counts_to_the_last_day_of_the_period():
    period = CommentPeriod(
        opens_at=datetime(2026, 12, 1, 9, tzinfo=TOKYO),
        closes_at=datetime(2027, 1, 6, 0, 0, tzinfo=TOKYO),  # midnight: the 5th is the last day
    )
    assert period.days_left(datetime(2026, 12, 6).date()) == 30
    assert period.days_left(datetime(2027, 1, 5).date()) == 0
    period.closes_at = datetime(2027, 1, 5, 17, tzinfo=TOKYO)
    assert period.days_left(datetime(2027, 1, 4).date()) == 1


def test_the_days_left_read_as_words():
    period = demo_period()
    period.closes_at = timezone.now() + timedelta(days=12, hours=1)
    expected = period.days_left()
    assert days_left(period) == f"あと{expected}日"
    with translation.override("en"):
        assert days_left(period) == f"{expected} days left"
    period.closes_at = timezone.localtime().replace(hour=23, minute=59, second=59)
    assert days_left(period) == "本日締切"


def test_period_dates_read_in_both_calendars():
    moment = datetime(2027, 1, 5, 17, 0, tzinfo=TOKYO)
    assert period_datetime(moment) == "令和9年（2027年）1月5日（火）17:00"
    with translation.override("en"):
        assert period_datetime(moment) == "Tue 5 Jan 2027 (Reiwa 9), 17:00 JST"


def test_the_home_page_invites_comments_with_the_days_left(client):
    period = demo_period()
    page = client.get("/").content.decode()
    assert "意見を募集しています" in page
    assert f"あと{period.days_left()}日" in page
    assert reverse("consultations:comment", args=[period.pk]) in page
    # Before the plans, right after the search: what a resident can do today.
    assert page.index("意見を募集しています") < page.index('id="m-kawasaki"')


def test_the_home_page_says_nothing_of_a_closed_or_draft_period(client):
    period = close(demo_period())
    assert "意見を募集しています" not in client.get("/").content.decode()
    period.opens_at = timezone.now() - timedelta(days=1)
    period.closes_at = timezone.now() + timedelta(days=3)
    period.status = PublicationStatus.DRAFT
    period.save()
    assert "意見を募集しています" not in client.get("/").content.decode()


def test_the_period_page_puts_the_form_button_before_the_long_lists(client):
    period = demo_period()
    page = period_page(client, period)
    button = page.index(f'href="{reverse("consultations:comment", args=[period.pk])}"')
    assert button < page.index('id="sections"')  # the list of 章・節 comes after
    assert button < page.index('class="facts"')
    assert f"あと{period.days_left()}日" in page


def test_the_plan_page_shows_the_notice_before_its_downloads(client):
    page = client.get("/plans/kawasaki-community/").content.decode()
    assert page.index("この素案に意見を出す") < page.index('class="downloads"')


def test_the_draft_document_is_the_portals_pdf_unless_staff_give_one(client):
    period = demo_period()
    pdf = reverse("policies:plan_pdf", args=[period.plan.slug])
    page = period_page(client, period)
    assert f'href="{pdf}"' in page and "素案のPDF" in page
    form = client.get(reverse("consultations:comment", args=[period.pk])).content.decode()
    assert f'href="{pdf}"' in form

    period.draft_url = "https://www.city.example.jp/soan.pdf"
    period.save()
    page = period_page(client, period)
    assert 'href="https://www.city.example.jp/soan.pdf"' in page and f'href="{pdf}"' not in page


def test_paper_ways_are_shown_only_as_staff_set_them(client):
    period = demo_period()
    page = period_page(client, period)
    assert "郵送・FAX・持参" not in page  # the seeds give no address: nothing is shown
    assert (
        "郵送・FAX・持参"
        not in client.get(reverse("consultations:comment", args=[period.pk])).content.decode()
    )

    period.postal_address = "〒000-0000\n架空市役所 企画課 <b>宛</b>"
    period.offline_deadline = "最終日の消印有効"
    period.save()
    page = period_page(client, period)
    assert "郵送・FAX・持参でも受け付けます" in page
    assert "〒000-0000<br>架空市役所 企画課 &lt;b&gt;宛&lt;/b&gt;" in page  # escaped
    assert "最終日の消印有効" in page
    assert ">FAX<" not in page and ">持参<" not in page  # only what is set
    form = client.get(reverse("consultations:comment", args=[period.pk])).content.decode()
    assert "郵送・FAX・持参で出す方法" in form

    close(period)
    assert "郵送・FAX・持参でも受け付けます" not in period_page(client, period)


def test_staff_set_the_paper_ways_in_the_admin(client):
    admin = get_user_model().objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(admin)
    period = demo_period()
    page = client.get(
        reverse("admin:consultations_commentperiod_change", args=[period.pk])
    ).content.decode()
    for field in ("draft_url", "postal_address", "fax_number", "in_person", "offline_deadline"):
        assert f'name="{field}"' in page


def test_past_periods_link_their_results(client):
    period = close(demo_period())
    page = client.get(reverse("consultations:periods")).content.decode()
    assert reverse("consultations:results", args=[period.pk]) not in page
    assert "取りまとめ次第公表します" in page
    period.results_published = True
    period.save()
    page = client.get(reverse("consultations:periods")).content.decode()
    assert reverse("consultations:results", args=[period.pk]) in page


def test_english_comment_pages_mark_japanese_content_and_give_both_calendars(client):
    period = demo_period()
    page = period_page(client, period, "/en")
    assert f'<h1><span lang="ja">{period.title}</span>' in page
    assert "days left" in page and "(Reiwa " in page


def test_a_drafts_schedule_link_goes_to_its_own_plans_schedule(client):
    """The community-policy draft sits under the comprehensive plan, whose schedule drafts
    the 3rd implementation plan, not this draft."""
    draft = client.get("/plans/kawasaki-community/").content.decode()
    assert reverse("schedule:plan_schedule", args=["kawasaki"]) not in draft
    assert "上位の計画：" in draft
    # A drafting policy's schedule is its target plan's.
    policy = client.get("/plans/kawasaki-3rd-policy/").content.decode()
    assert "対象の計画：" in policy
    assert reverse("schedule:plan_schedule", args=["kawasaki"]) in policy


def test_a_draft_with_its_own_schedule_links_that_one(client):
    from policies.models import Plan
    from schedule.models import Milestone

    draft = Plan.objects.get(slug="kawasaki-community")
    Milestone.objects.create(
        plan=draft,
        fiscal_year=2026,
        when="1月下旬",
        title="素案の公表",
        kind=Milestone.Kind.DRAFT,
        status=PublicationStatus.PUBLISHED,
    )
    page = client.get(draft.get_absolute_url()).content.decode()
    assert reverse("schedule:plan_schedule", args=["kawasaki-community"]) in page
    assert reverse("schedule:plan_schedule", args=["kawasaki"]) not in page
