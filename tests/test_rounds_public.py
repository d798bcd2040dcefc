"""Public pages during a round: 未評価 for projects without an approved result, approved ones shown."""

import pytest
from django.urls import reverse

from rounds import services
from rounds.models import Task
from rounds.workflow import Action
from tests.evaluations import row
from tests.rounds_data import YEAR

pytestmark = pytest.mark.django_db


def evaluate(round, name, editor, planner, *, achievement="2"):
    task = Task.objects.get(round=round, project__name=name)
    services.record_row(
        task.pk,
        row(round.plan, f"{name}の実績", achievement, "C"),
        user=editor,
        base_version=task.version,
    )
    services.act_on([task.pk], Action.SUBMIT, user=editor)
    services.act_on([task.pk], Action.APPROVE, user=planner)
    return task


def node_rollup(client, node):
    response = client.get(reverse("policies:node", args=[node.plan.slug, node.pk]))
    assert response.status_code == 200
    return response.context["rollups"][0]  # 達成度


def test_a_measure_counts_its_projects_in_the_round_as_unevaluated(
    client, city_round, environment_editor, planner
):
    green = city_round.plan.nodes.get(code="1-1")
    rollup = node_rollup(client, green)
    assert rollup.years == [YEAR] and rollup.unrated == [3] and rollup.totals == [0]
    page = client.get(reverse("policies:node", args=[green.plan.slug, green.pk])).content.decode()
    assert "未評価" in page

    excluded = page[page.index('<details class="rollup-excluded">') :]
    excluded = excluded[: excluded.index("</details>")]
    assert "未評価 3 件" in excluded and excluded.count("<li>") == 3
    green_project = Task.objects.get(round=city_round, project__name="緑化推進事業").project
    assert f'href="{green_project.get_absolute_url()}">緑化推進事業</a>' in excluded

    evaluate(city_round, "緑化推進事業", environment_editor, planner)
    assert node_rollup(client, green).unrated == [3]  # approved, but not yet published
    services.publish_approved(city_round, user=planner)
    rollup = node_rollup(client, green)
    assert rollup.unrated == [2] and rollup.totals == [1]
    page = client.get(reverse("policies:node", args=[green.plan.slug, green.pk])).content.decode()
    excluded = page[page.index('<details class="rollup-excluded">') :]
    excluded = excluded[: excluded.index("</details>")]
    assert "未評価 2 件" in excluded and green_project.get_absolute_url() not in excluded
    policy = city_round.plan.nodes.get(code="1")
    assert node_rollup(client, policy).unrated == [5]  # roll-up of both measures


def test_the_project_page_says_unevaluated_then_shows_the_approved_result(
    client, city_round, environment_editor, planner
):
    task = Task.objects.get(round=city_round, project__name="緑化推進事業")
    url = reverse("projects:project", args=[city_round.plan.slug, task.project_id])
    page = client.get(url).content.decode()
    assert "未評価（評価作業中）" in page
    evaluate(city_round, "緑化推進事業", environment_editor, planner)
    assert "緑化推進事業の実績" not in client.get(url).content.decode()
    services.publish_approved(city_round, user=planner)
    page = client.get(url).content.decode()
    assert "緑化推進事業の実績" in page and "未評価（評価作業中）" not in page
