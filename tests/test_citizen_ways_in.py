"""No dead ends: strategy, SDG and matrix links appear only where they lead to content."""

import re

import pytest

from policies.models import SDGGoal, Strategy
from projects.models import Project

pytestmark = pytest.mark.django_db

STRATEGY = "「みんなで守る強くしなやかなまち」をめざす"


def text_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def strategy_links(html):
    return re.findall(r'href="(/plans/[^"]+/strategies/\d+/)"', html)


def test_a_strategy_without_nodes_or_projects_is_text_that_says_so(client):
    strategy = Strategy.objects.get(plan__slug="kawasaki", title__contains=STRATEGY)
    home = text_of(client, "/")
    plan = text_of(client, "/plans/kawasaki/")
    assert strategy.get_absolute_url() not in home + plan
    assert STRATEGY in plan and "（政策・事業との対応は未登録）" in plan
    Project.objects.get(name="地域振興事業").strategies.add(strategy)
    assert strategy.get_absolute_url() in text_of(client, "/")
    assert strategy.get_absolute_url() in text_of(client, "/plans/kawasaki/")


def test_sdg_cards_link_only_goals_with_content(client):
    goal = SDGGoal.objects.get(number=11)
    html = text_of(client, "/sdgs/")
    assert 'href="/sdgs/11/"' not in html
    assert "（対応する政策・事業はまだ登録されていません）" in html
    assert "SDGsとの対応が登録された計画は、まだありません。" in html  # no empty matrices
    assert 'href="/plans/kawasaki-2011/sdgs/"' not in text_of(client, "/plans/kawasaki-2011/")
    Project.objects.get(name="地域振興事業").sdg_goals.add(goal)
    html = text_of(client, "/sdgs/")
    assert 'href="/sdgs/11/"' in html and 'href="/plans/kawasaki-2011/sdgs/"' in html
    assert 'href="/plans/kawasaki-2011/sdgs/"' in text_of(client, "/plans/kawasaki-2011/")


def test_home_leads_with_the_plans_that_can_be_read(client):
    html = text_of(client, "/")
    lead = html.split('id="readable"', 1)[1].split("</section>", 1)[0]
    assert 'href="/plans/kawasaki-2011/"' in lead  # its tree and projects are recorded
    assert html.index('id="readable"') < html.index('class="municipality"')
    assert "この計画の政策体系の各項目は、まだ収録されていません。" in html  # said on the others
