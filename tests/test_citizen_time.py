"""Pages honest about time: plan states, overdue drafting steps, this fiscal year, last update."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from policies.models import Plan, PolicyNode, Strategy
from projects.models import Project
from schedule.fiscal import fiscal_year_of
from schedule.models import Milestone, PlanPeriod

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def text_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_each_plan_shows_its_state_from_its_years_and_today(client):
    html = text_of(client, "/")
    assert '<span class="badge badge-plan-ended">終了（平成25年度まで）</span>' in html
    assert '<span class="badge badge-plan-current">計画期間中</span>' in html  # kawasaki, 2016–
    assert '<span class="badge badge-plan-draft">素案</span>' in html  # the community policy
    assert '<span class="badge badge-plan-drafting">策定中</span>' in html  # tsurugashima
    # 策定済み only where a plan has no years to say more by
    yearless = Plan.objects.filter(stage="adopted", start_fiscal_year=None).exclude(
        kind=Plan.Kind.DRAFTING_POLICY
    )
    assert html.count("策定済み</span>") == yearless.count()
    plan = text_of(client, "/plans/kawasaki-2011/")
    assert "終了（平成25年度まで）" in plan
    english = text_of(client, "/en/plans/kawasaki-2011/")
    assert "Ended (ran until FY2013)" in english


def test_a_plan_whose_years_have_not_begun_says_from_when(client):
    this_year = fiscal_year_of(timezone.localdate())
    Plan.objects.filter(slug="kawasaki-2011").update(
        start_fiscal_year=this_year + 1, end_fiscal_year=this_year + 3
    )
    assert Plan.objects.get(slug="kawasaki-2011").timing.fiscal_year == this_year + 1
    assert "開始前（" in text_of(client, "/plans/kawasaki-2011/")


def test_a_past_step_still_planned_is_marked_overdue_until_staff_mark_it_done(client):
    html = text_of(client, "/plans/kawasaki/schedule/")
    assert html.count("予定（時期経過）") == 8
    step = Milestone.objects.filter(plan__slug="kawasaki").first()
    step.progress = Milestone.Progress.DONE
    step.save()
    html = text_of(client, "/plans/kawasaki/schedule/")
    assert html.count("予定（時期経過）") == 7 and ">実施済み</span>" in html
    later = Milestone.objects.filter(plan__slug="kawasaki").last()
    later.fiscal_year = fiscal_year_of(timezone.localdate()) + 1
    later.save()
    html = text_of(client, "/plans/kawasaki/schedule/")
    assert html.count("予定（時期経過）") == 6 and ">予定</span>" in html


def test_timelines_mark_the_current_fiscal_year(client):
    this_year = fiscal_year_of(timezone.localdate())
    plan = Plan.objects.get(slug="kawasaki")
    PlanPeriod.objects.create(
        plan=plan,
        part=PlanPeriod.Part.OTHER,
        name="次期計画",
        start_fiscal_year=this_year - 1,
        end_fiscal_year=this_year + 1,
    )
    html = text_of(client, "/plans/kawasaki/schedule/")
    assert html.count('class="timeline-year is-current"') == 1
    current = html.split('class="timeline-year is-current">')[1].split("</th>")[0]
    assert f"({this_year})" in current and "今年度" in current


def test_every_content_page_shows_when_its_content_was_last_updated(client):
    stamp = datetime(2024, 5, 1, 9, 0, tzinfo=TOKYO)
    project = Project.objects.get(name="地域情報化推進事業")
    Project.objects.filter(pk=project.pk).update(updated_at=stamp)
    html = text_of(client, project.get_absolute_url())
    assert '最終更新：<time datetime="2024-05-01T09:00:00+09:00">2024年5月1日</time>' in html
    node = PolicyNode.objects.filter(plan__slug="kawasaki-2011").first()
    PolicyNode.objects.filter(pk=node.pk).update(updated_at=stamp)
    assert "2024年5月1日</time>" in text_of(client, node.get_absolute_url())
    Plan.objects.filter(slug="zushi").update(updated_at=stamp)
    assert "2024年5月1日</time>" in text_of(client, "/plans/zushi/")
    strategy = Strategy.objects.filter(plan__slug="kawasaki").first()
    for url in (
        "/",
        "/plans/kawasaki/schedule/",
        strategy.get_absolute_url(),
        "/wards/",
        "/wards/kawasaki/saiwai-ku/",
    ):
        assert "最終更新：<time" in text_of(client, url), url
    assert "Last updated: " in text_of(client, "/en" + project.get_absolute_url())
