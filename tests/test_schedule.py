"""Plan periods as a timeline, drafting milestones, and their iCalendar feed."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from icalendar import Calendar

from planportal.publication import PublicationStatus
from policies.models import Plan
from projects.seeds.drafting import milestone_kind
from schedule.models import Milestone, PlanPeriod

pytestmark = pytest.mark.django_db


def schedule_url(slug):
    return f"/plans/{slug}/schedule/"


def test_kawasaki_timeline_draws_years_across_and_parts_down(client):
    html = client.get(schedule_url("kawasaki")).content.decode()
    # Both calendars in every column heading, 2016 to 2025.
    assert "平成28年度" in html and "(2016)" in html
    assert "令和7年度" in html and "(2025)" in html
    # Parts down; the three phases share the 実施計画 row, over 2, 4 and 4 years.
    assert '<th scope="row">実施計画</th>' in html
    assert 'colspan="2" class="timeline-bar phase"><span class="bar-name">第1期実施計画' in html
    assert 'colspan="4" class="timeline-bar phase"><span class="bar-name">第3期実施計画' in html
    # Open-ended parts run over every column and keep the document's words.
    assert 'colspan="10" class="timeline-bar open-ended"><span class="bar-name">基本構想' in html
    assert "30年程度を展望" in html


def test_schedule_page_lists_milestones_in_order_as_written(client):
    html = client.get(schedule_url("kawasaki")).content.decode()
    order = ["4月中旬", "7月下旬", "8月下旬", "11月下旬", "12月中", "2月上旬", "3月下旬"]
    positions = [html.index(f'<p class="milestone-when">{when}</p>') for when in order]
    assert positions == sorted(positions)
    assert "令和3年度 (2021)" in html
    assert 'href="/plans/kawasaki-3rd-policy/">川崎市総合計画 第3期実施計画策定方針</a>' in html
    assert html.count(">予定</span>") == 8
    assert 'href="/plans/kawasaki/schedule.ics"' in html


def test_tsurugashima_schedule_groups_two_fiscal_years(client):
    html = client.get(schedule_url("tsurugashima")).content.decode()
    assert html.index("令和5年度 (2023)") < html.index("令和6年度 (2024)")
    assert "<li>まちづくり審議会による素案審議</li>" in html
    assert html.index("素案審議・まとめ") < html.index("素案公表")  # printed order in 4～6月


def test_plan_page_shows_the_timeline_and_links_the_schedule(client):
    html = client.get("/plans/kawasaki/").content.decode()
    assert 'class="period-timeline"' in html
    assert 'href="/plans/kawasaki/schedule/"' in html
    # The drafting policy points to the schedule of the plan it drafts.
    policy = client.get("/plans/kawasaki-3rd-policy/").content.decode()
    assert 'href="/plans/kawasaki/schedule/"' in policy


def test_a_plan_without_periods_or_milestones_has_no_schedule_page(client):
    assert client.get(schedule_url("zushi")).status_code == 404
    assert client.get(schedule_url("no-such-plan")).status_code == 404


def test_draft_milestones_are_hidden_from_citizens_and_previewed_by_staff(admin_client):
    client = Client()  # a citizen beside the signed-in staff member
    plan = Plan.objects.get(slug="tsurugashima")
    Milestone.objects.create(
        plan=plan, fiscal_year=2025, when="5月上旬", title="下書きの作業", kind="other"
    )
    assert "下書きの作業" not in client.get(schedule_url("tsurugashima")).content.decode()
    assert "下書きの作業" in admin_client.get(schedule_url("tsurugashima")).content.decode()
    feed = Calendar.from_ical(client.get("/plans/tsurugashima/schedule.ics").content)
    assert "下書きの作業" not in [str(e["SUMMARY"]) for e in feed.walk("VEVENT")]


def test_milestones_of_a_draft_plan_stay_hidden(client, make_plan):
    plan = make_plan("hidden-plan", status=PublicationStatus.DRAFT)
    Milestone.objects.create(
        plan=plan,
        fiscal_year=2022,
        when="4月",
        title="見えない作業",
        status=PublicationStatus.PUBLISHED,
    )
    assert not Milestone.objects.published().filter(plan=plan).exists()
    assert client.get(schedule_url("hidden-plan")).status_code == 404


def test_calendar_feed_parses_back_with_dates_and_ranges(client):
    response = client.get("/plans/kawasaki/schedule.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 8
    mid_april = events["第3期実施計画策定方針の策定・公表"]
    assert mid_april["DTSTART"].dt == date(2021, 4, 11)
    assert mid_april["DTEND"].dt == date(2021, 4, 21)  # exclusive: through 20 April
    assert mid_april["DTSTART"].params["VALUE"] == "DATE"
    assert str(mid_april["STATUS"]) == "TENTATIVE"
    assert "令和3年度 4月中旬（予定）" in str(mid_april["DESCRIPTION"])
    february = events["第3期実施計画「計画（案）」の策定・公表"]
    assert (february["DTSTART"].dt, february["DTEND"].dt) == (date(2022, 2, 1), date(2022, 2, 11))
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == 8
    assert all(e["DTSTAMP"] for e in calendar.walk("VEVENT"))
    assert str(mid_april["URL"]).endswith(f"/plans/kawasaki/schedule/#milestone-{_pk(mid_april)}")


def _pk(event) -> str:
    return str(event["UID"]).split("@")[0].removeprefix("milestone-")


def test_calendar_quarters_and_done_steps(client):
    plan = Plan.objects.get(slug="tsurugashima")
    step = Milestone.objects.get(plan=plan, fiscal_year=2023, when="1～3月")
    step.progress = Milestone.Progress.DONE
    step.save()
    calendar = Calendar.from_ical(client.get("/plans/tsurugashima/schedule.ics").content)
    event = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == step.title)
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2024, 1, 1), date(2024, 4, 1))
    assert str(event["STATUS"]) == "CONFIRMED"


def test_milestone_dates_are_read_within_the_fiscal_year(db):
    plan = Plan.objects.get(slug="tsurugashima")
    milestone = Milestone(plan=plan, fiscal_year=2025, when="２月下旬", title="例", kind="other")
    milestone.full_clean()
    milestone.save()
    assert (milestone.starts_on, milestone.ends_on) == (date(2026, 2, 21), date(2026, 2, 28))
    assert milestone.when_label == "令和7年度 ２月下旬"
    milestone.when = "4月上旬"
    milestone.save(update_fields=["when"])
    milestone.refresh_from_db()
    assert milestone.ends_on - milestone.starts_on == timedelta(days=9)


@pytest.mark.parametrize("when", ["4月末", "3～4月", "13月", "", "2月30日"])
def test_a_date_the_documents_would_not_write_is_refused(db, when):
    plan = Plan.objects.get(slug="tsurugashima")
    milestone = Milestone(plan=plan, fiscal_year=2025, when=when, title="例", kind="other")
    with pytest.raises(ValidationError) as error:
        milestone.full_clean()
    assert "when" in error.value.message_dict


def test_milestone_period_and_document_must_fit(db):
    kawasaki = Plan.objects.get(slug="kawasaki")
    other_period = PlanPeriod.objects.get(plan__slug="tsurugashima")
    milestone = Milestone(
        plan=kawasaki,
        period=other_period,
        fiscal_year=2021,
        when="4月",
        title="例",
        document_title="資料",
    )
    with pytest.raises(ValidationError) as error:
        milestone.full_clean()
    assert set(error.value.message_dict) == {"period", "document_url"}


@pytest.mark.parametrize(
    "text, kind",
    [
        ("市民説明会、パブリックコメント手続の実施", "public_comment"),
        ("市民説明会の開催", "briefing"),
        ("議案の提出・議決 議案（基本構想、基本計画）提出", "council"),
        ("第3期実施計画「計画（案）」の策定・公表", "final_draft"),
        ("後期基本計画の原案決定", "final_draft"),
        ("第3期実施計画「素案」の策定・公表", "draft"),
        ("サマーレビュー", "review"),
        ("市民意識調査及び基礎調査・ニーズ等の把握", "survey"),
        ("第3期実施計画策定方針の策定・公表", "policy"),
        ("第3期実施計画の策定・公表", "adoption"),
        ("計画の策定", "adoption"),
        ("庁内準備作業", "other"),
    ],
)
def test_milestone_kind_is_read_from_the_words_of_a_step(text, kind):
    assert milestone_kind(text) == kind
